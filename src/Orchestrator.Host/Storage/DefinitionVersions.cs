using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LiteDB;
using JsonSerializer = System.Text.Json.JsonSerializer;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;

namespace Orchestrator.Host.Storage;

/// <summary>
/// Workflow definitions as stored instances refer to them: each version (workflow id and the hash of its file) is kept
/// once in the <c>definitions</c> collection, written the first time an instance of it is stored and never changed
/// afterwards, and an instance's document holds only <c>{"id", "version"}</c>. A version never changes, so reading
/// one back goes through an in-memory cache without any invalidation.
/// </summary>
/// <remarks>
/// Documents written before this kept the whole definition inside each instance. They still read (the embedded
/// definition is recognised and cached), and each moves to the new shape on its next write, which also stores its
/// definition version; instances never written again (closed ones) keep the old shape, which costs only space.
/// </remarks>
internal sealed class DefinitionVersions
{
    public const string Collection = "definitions";

    private readonly IDefinitionRows _stored;
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _cache = new(StringComparer.Ordinal);

    // Versions known to be in the file, to spare a look-up per commit; cleared on a rollback, which may have undone an insert.
    private readonly ConcurrentDictionary<string, byte> _inFile = new(StringComparer.Ordinal);

    public DefinitionVersions(LiteDatabase db) : this(new LiteDbDefinitionRows(db.GetCollection(Collection)))
    {
    }

    /// <summary>On any store's rows of definition versions (PostgreSQL's table).</summary>
    public DefinitionVersions(IDefinitionRows stored)
    {
        _stored = stored;
        var reference = new ReferenceConverter(this);
        InstanceOptions = new JsonSerializerOptions(StoreJson.Options)
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver
            {
                Modifiers =
                {
                    info =>
                    {
                        if (info.Type != typeof(WorkflowInstance)) return;
                        foreach (var property in info.Properties)
                            if (property.PropertyType == typeof(WorkflowDefinition)) property.CustomConverter = reference;
                    },
                },
            },
        };
    }

    /// <summary>How instance documents are written and read: <see cref="StoreJson.Options"/>, with the definition as a reference.</summary>
    public JsonSerializerOptions InstanceOptions { get; }

    public static string KeyOf(string workflowId, string version) => $"{workflowId}@{version}";

    /// <summary>Stores the definition's version unless the file holds it already; call inside the transaction that stores its instance.</summary>
    public void EnsureStored(WorkflowDefinition definition)
    {
        var key = KeyOf(definition.Id, definition.Version);
        _cache.TryAdd(key, definition);
        if (_inFile.ContainsKey(key)) return;
        _stored.InsertIfMissing(key, definition.Id, definition.Version, () => JsonSerializer.Serialize(definition, StoreJson.Options));
        _inFile[key] = 0;
    }

    /// <summary>After a rollback: what was inserted in it is gone, so look again before relying on it.</summary>
    public void Forget() => _inFile.Clear();

    /// <summary>How many versions the file holds.</summary>
    public int Count() => _stored.Count();

    public WorkflowDefinition Resolve(string workflowId, string version)
    {
        var key = KeyOf(workflowId, version);
        if (_cache.TryGetValue(key, out var known)) return known;
        var json = _stored.Find(key)
            ?? throw new JsonException($"Definition {workflowId} version {version} is not in the store's {Collection} collection.");
        var definition = JsonSerializer.Deserialize<WorkflowDefinition>(json, StoreJson.Options)
            ?? throw new JsonException($"Definition {key} read back as null.");
        _inFile[key] = 0;
        return _cache.GetOrAdd(key, definition);
    }

    private WorkflowDefinition Remember(WorkflowDefinition embedded) => _cache.GetOrAdd(KeyOf(embedded.Id, embedded.Version), embedded);

    /// <summary>Writes an instance's definition as <c>{"id", "version"}</c>; reads that, or the whole definition older documents embed.</summary>
    private sealed class ReferenceConverter(DefinitionVersions versions) : JsonConverter<WorkflowDefinition>
    {
        public override WorkflowDefinition Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var json = JsonDocument.ParseValue(ref reader);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var id) || !root.TryGetProperty("version", out var version))
                throw new JsonException("An instance's definition has neither a reference nor a whole definition.");
            // A reference holds only these two; an older document embeds the whole definition (it always has a name).
            return root.TryGetProperty("name", out _)
                ? versions.Remember(root.Deserialize<WorkflowDefinition>(StoreJson.Options)!)
                : versions.Resolve(id.GetString()!, version.GetString()!);
        }

        public override void Write(Utf8JsonWriter writer, WorkflowDefinition value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("id", value.Id);
            writer.WriteString("version", value.Version);
            writer.WriteEndObject();
        }
    }
}

/// <summary>Where a store keeps definition versions: by key (<c>workflow@version</c>), each written once.</summary>
internal interface IDefinitionRows
{
    /// <summary>The definition's JSON, or null.</summary>
    string? Find(string key);

    /// <summary>Writes the version unless it is there; inside the transaction of the instance that refers to it.</summary>
    void InsertIfMissing(string key, string workflowId, string version, Func<string> json);

    int Count();
}

internal sealed class LiteDbDefinitionRows(ILiteCollection<BsonDocument> stored) : IDefinitionRows
{
    public string? Find(string key) => stored.FindById(key) is { } doc ? doc["json"].AsString : null;

    public void InsertIfMissing(string key, string workflowId, string version, Func<string> json)
    {
        if (stored.FindById(key) is not null) return;
        stored.Insert(new BsonDocument
        {
            ["_id"] = key,
            ["workflow"] = workflowId,
            ["version"] = version,
            ["json"] = json(),
        });
    }

    public int Count() => stored.Count();
}
