using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Host.Storage;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Api;

/// <summary>
/// An API key as stored: its name, the system it acts as, and the SHA-256 of the key, never the key itself. Keys made
/// before keys were bound to a system have none stored and act as the system named like the key (<see cref="SystemIsName"/>).
/// </summary>
internal sealed record ApiKeyRecord(string Name, string System, DateTimeOffset Created, DateTimeOffset? LastUsed, DateTimeOffset? Revoked, bool SystemIsName = false)
{
    public bool IsRevoked => Revoked is not null;

    /// <summary>How the key appears in history and assignments: <c>system:jira</c>.</summary>
    public string Actor => WorkflowEngine.SystemPrefix + System;
}

internal enum ApiKeyChange { Done, BadName, BadSystem, Duplicate, NotFound, AlreadyRevoked }

/// <summary>
/// API keys over the store's <see cref="IApiKeyRows"/>. A key is <c>orc_</c> followed by 32 random bytes in base64url;
/// only its SHA-256 is kept, so a copy of the store does not give anyone a usable key. Nothing is cached: a key revoked
/// by one host (or the CLI) is refused by every host at its next request.
/// </summary>
internal sealed partial class ApiKeyStore(IApiKeyRows rows)
{
    public const string Prefix = "orc_";

    // Last-used times are coarse on purpose: a busy caller would otherwise cost one write per request.
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    public const string NameRule = "a name is 1 to 64 characters: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit";

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Creates a key named <paramref name="name"/> that acts as <paramref name="system"/> (its name when not given); the
    /// returned key is shown once and cannot be read back.
    /// </summary>
    public (ApiKeyChange Outcome, string? Key) Create(string name, DateTimeOffset now, string? system = null)
    {
        if (!IsValidName(name)) return (ApiKeyChange.BadName, null);
        system = system is null ? name : NormalSystem(system);
        if (!IsValidName(system)) return (ApiKeyChange.BadSystem, null);
        var key = NewKey();
        return rows.InsertApiKey(new ApiKeyRow(name, Hash(key), system, now, null, null))
            ? (ApiKeyChange.Done, key)
            : (ApiKeyChange.Duplicate, null);
    }

    public ApiKeyChange Revoke(string name, DateTimeOffset now)
    {
        if (rows.RevokeApiKey(name, now)) return ApiKeyChange.Done;
        return rows.ApiKeyByName(name) is null ? ApiKeyChange.NotFound : ApiKeyChange.AlreadyRevoked;
    }

    public IReadOnlyList<ApiKeyRecord> All() => rows.AllApiKeys().Select(ToRecord).OrderBy(k => k.Name, StringComparer.Ordinal).ToList();

    /// <summary>The key a caller presented, looked up by its hash; null when no such key was ever created.</summary>
    public ApiKeyRecord? Find(string key) =>
        key.StartsWith(Prefix, StringComparison.Ordinal) && rows.ApiKeyByHash(Hash(key)) is { } row ? ToRecord(row) : null;

    /// <summary>Records that a key was used, at most once a minute per key.</summary>
    public void Touch(ApiKeyRecord key, DateTimeOffset now)
    {
        if (key.LastUsed is { } last && now - last < TouchEvery) return;
        rows.TouchApiKey(key.Name, now);
    }

    /// <summary>A system as written in a definition's <c>system:NAME</c> or on the command line: trimmed, lower-case, no prefix.</summary>
    public static string NormalSystem(string system)
    {
        system = system.Trim().ToLowerInvariant();
        return system.StartsWith(WorkflowEngine.SystemPrefix, StringComparison.Ordinal)
            ? system[WorkflowEngine.SystemPrefix.Length..].Trim()
            : system;
    }

    // Keys created before systems were stored act as the system of their own name.
    private static ApiKeyRecord ToRecord(ApiKeyRow row) =>
        new(row.Name, row.System ?? row.Name, row.Created, row.LastUsed, row.Revoked, SystemIsName: row.System is null);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Admins' chat commands on the keys (<c>admin keys</c>, <c>admin revoke-key</c>): a leaked key is revoked without a restart.</summary>
internal sealed partial class ApiKeyAdmin(ApiKeyStore keys, TimeProvider time, ILogger<ApiKeyAdmin> logger) : IApiKeyAdmin
{
    public IReadOnlyList<ApiKeySummary> Keys() =>
        keys.All().Select(k => new ApiKeySummary(k.Name, k.System, k.Created, k.LastUsed, k.Revoked)).ToList();

    public string? Revoke(string name, string actor)
    {
        if (!ApiKeyStore.IsValidName(name)) return $"'{name}' is not a key name: {ApiKeyStore.NameRule}. See admin keys.";
        switch (keys.Revoke(name, time.GetUtcNow()))
        {
            case ApiKeyChange.NotFound:
                return $"There is no API key named '{name}'. See admin keys.";
            case ApiKeyChange.AlreadyRevoked:
                return $"The API key '{name}' is already revoked.";
            default:
                LogRevoked(name, actor);
                return null;
        }
    }

    [LoggerMessage(LogLevel.Warning, "API key {Name} revoked by {Actor}")]
    private partial void LogRevoked(string name, string actor);
}
