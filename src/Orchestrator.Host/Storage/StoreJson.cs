using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Instances;

namespace Orchestrator.Host.Storage;

/// <summary>How documents are written into the store: enums as strings so the file reads well and survives reordering.</summary>
internal static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// The history kept in a stored instance's JSON, without resolving its definition (a reference to the
    /// <see cref="DefinitionVersions"/> of a file that may be only a copy, or the whole definition in older documents).
    /// </summary>
    public static IReadOnlyList<InstanceEvent> HistoryOf(string instanceJson) =>
        JsonSerializer.Deserialize<StoredHistory>(instanceJson, Options)?.History ?? [];

    private sealed record StoredHistory(List<InstanceEvent> History);
}
