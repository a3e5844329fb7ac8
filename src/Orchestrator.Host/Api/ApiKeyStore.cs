using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using LiteDB;
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
/// The <c>apikeys</c> collection of the store's LiteDB file. A key is <c>orc_</c> followed by 32 random bytes in base64url;
/// only its SHA-256 is kept, so a copy of the file does not give anyone a usable key.
/// </summary>
internal sealed partial class ApiKeyStore
{
    public const string Collection = "apikeys";
    public const string Prefix = "orc_";

    // Last-used times are coarse on purpose: a busy caller would otherwise cost one write per request.
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    private readonly ILiteCollection<BsonDocument> _keys;

    public ApiKeyStore(LiteDatabase db, bool writable = true)
    {
        _keys = db.GetCollection(Collection);
        if (writable) _keys.EnsureIndex("hash", unique: true);
    }

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
        if (_keys.FindById(name) is not null) return (ApiKeyChange.Duplicate, null);
        var key = NewKey();
        _keys.Insert(new BsonDocument
        {
            ["_id"] = name,
            ["hash"] = Hash(key),
            ["system"] = system,
            ["created"] = now.UtcDateTime,
            ["last_used"] = BsonValue.Null,
            ["revoked"] = BsonValue.Null,
        });
        return (ApiKeyChange.Done, key);
    }

    public ApiKeyChange Revoke(string name, DateTimeOffset now)
    {
        var doc = _keys.FindById(name);
        if (doc is null) return ApiKeyChange.NotFound;
        if (!doc["revoked"].IsNull) return ApiKeyChange.AlreadyRevoked;
        doc["revoked"] = now.UtcDateTime;
        _keys.Update(doc);
        return ApiKeyChange.Done;
    }

    public IReadOnlyList<ApiKeyRecord> All() => _keys.FindAll().Select(ToRecord).OrderBy(k => k.Name, StringComparer.Ordinal).ToList();

    /// <summary>The key a caller presented, looked up by its hash; null when no such key was ever created.</summary>
    public ApiKeyRecord? Find(string key) =>
        key.StartsWith(Prefix, StringComparison.Ordinal) && _keys.FindOne(Query.EQ("hash", Hash(key))) is { } doc ? ToRecord(doc) : null;

    /// <summary>Records that a key was used, at most once a minute per key.</summary>
    public void Touch(ApiKeyRecord key, DateTimeOffset now)
    {
        if (key.LastUsed is { } last && now - last < TouchEvery) return;
        if (_keys.FindById(key.Name) is not { } doc) return;
        doc["last_used"] = now.UtcDateTime;
        _keys.Update(doc);
    }

    /// <summary>A system as written in a definition's <c>system:NAME</c> or on the command line: trimmed, lower-case, no prefix.</summary>
    public static string NormalSystem(string system)
    {
        system = system.Trim().ToLowerInvariant();
        return system.StartsWith(WorkflowEngine.SystemPrefix, StringComparison.Ordinal)
            ? system[WorkflowEngine.SystemPrefix.Length..].Trim()
            : system;
    }

    private static ApiKeyRecord ToRecord(BsonDocument d)
    {
        var name = d["_id"].AsString;
        // Keys created before systems were stored act as the system of their own name.
        var stored = d["system"] is { IsString: true } s ? s.AsString : null;
        return new(name, stored ?? name, Date(d["created"])!.Value, Date(d["last_used"]), Date(d["revoked"]), SystemIsName: stored is null);
    }

    private static DateTimeOffset? Date(BsonValue v) => v.IsDateTime ? new DateTimeOffset(DateTime.SpecifyKind(v.AsDateTime, DateTimeKind.Utc)) : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
