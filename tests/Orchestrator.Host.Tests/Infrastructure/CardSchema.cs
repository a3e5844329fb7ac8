using System.Text.Json.Nodes;
using NJsonSchema;

namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>Checks a card against the Adaptive Card 1.5 schema in <c>tests/schemas</c>, as Teams would draw it.</summary>
internal static class CardSchema
{
    private static readonly Lazy<Task<JsonSchema>> Schema = new(() =>
        JsonSchema.FromFileAsync(Path.Combine(Repo.Schemas, "adaptive-card-1.5.schema.json")));

    public static async Task AssertValid(JsonObject card, string name = "card")
    {
        var json = (JsonObject)card.DeepClone();
        StripTeamsOnlyProperties(json);
        var errors = (await Schema.Value).Validate(json.ToJsonString());
        Assert.True(errors.Count == 0, $"{name}:\n" + string.Join('\n', errors.Select(e => $"{e.Path}: {e.Kind} {e}")) + "\n" + json.ToJsonString());
    }

    /// <summary>The schema is strict; Teams' own <c>msteams</c> extension is the one thing allowed beyond it.</summary>
    private static void StripTeamsOnlyProperties(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("msteams");
                foreach (var (_, child) in o.ToList()) StripTeamsOnlyProperties(child);
                break;
            case JsonArray a:
                foreach (var child in a) StripTeamsOnlyProperties(child);
                break;
        }
    }
}
