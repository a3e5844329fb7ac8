using Orchestrator.Core.People;

namespace Orchestrator.Core.Engine;

/// <summary>Durable home of delegations, one per delegating person.</summary>
public interface IDelegationStore
{
    /// <summary>Every stored delegation, expired ones included (the caller judges them against its clock).</summary>
    IReadOnlyList<Delegation> All();

    /// <summary>Stores <paramref name="delegation"/>, replacing the delegator's previous one.</summary>
    void Save(Delegation delegation);

    /// <summary>Removes the delegation of <paramref name="from"/>; false when there was none.</summary>
    bool Remove(string from);
}

/// <summary>Delegations kept in memory: dry runs and tests.</summary>
public sealed class MemoryDelegationStore : IDelegationStore
{
    private readonly Dictionary<string, Delegation> _byFrom = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public IReadOnlyList<Delegation> All()
    {
        lock (_gate) return [.. _byFrom.Values];
    }

    public void Save(Delegation delegation)
    {
        lock (_gate) _byFrom[delegation.From] = delegation;
    }

    public bool Remove(string from)
    {
        lock (_gate) return _byFrom.Remove(from);
    }
}

/// <summary>The HTTP API's keys as admins see them in chat (<c>admin keys</c>, <c>admin revoke-key</c>): never the keys themselves.</summary>
public interface IApiKeyAdmin
{
    IReadOnlyList<ApiKeySummary> Keys();

    /// <summary>Revokes the named key at once; null when done, else why not (no such key, already revoked).</summary>
    string? Revoke(string name, string actor);
}

public sealed record ApiKeySummary(string Name, string System, DateTimeOffset Created, DateTimeOffset? LastUsed, DateTimeOffset? Revoked);

/// <summary>Reads workflow definitions and the directory again (an admin's <c>admin reload</c>).</summary>
public interface ICatalogSource
{
    /// <summary>Replaces the catalog's contents from their files; problems land in <see cref="Catalog.Problems"/>.</summary>
    CatalogReload Reload();
}

/// <summary>What a reload did; <see cref="Kept"/> names what stayed as it was because its file could not be used at all.</summary>
public sealed record CatalogReload(IReadOnlyList<string> Kept);
