using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Host.Storage;

/// <summary>How documents are written into the store: enums as strings so the file reads well and survives reordering.</summary>
internal static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
