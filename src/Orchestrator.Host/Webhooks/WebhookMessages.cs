using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Instances;

namespace Orchestrator.Host.Webhooks;

/// <summary>What a webhook receiver gets for one event in an instance's history.</summary>
internal sealed record WebhookPayload(
    string Id,
    string Instance,
    string Workflow,
    string? Step,
    string Event,
    string? Actor,
    DateTimeOffset At,
    string Text,
    string? Via,
    [property: JsonPropertyName("external_ref")] string? ExternalRef,
    string State,
    int Sequence);

internal sealed record WebhookMessage(string Key, string Url, string Payload);

/// <summary>
/// One outbox message per new history event of an instance whose definition has a <c>webhook</c>, written by the store in
/// the transaction that commits the change: a change is never recorded without its webhooks, nor sent twice.
/// </summary>
internal static class WebhookMessages
{
    public const string KeyPrefix = "webhook:";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="from">The first history event not sent yet (the ones before it were committed earlier).</param>
    public static IReadOnlyList<WebhookMessage> For(WorkflowInstance instance, int from)
    {
        if (instance.Definition.Webhook is not { Length: > 0 } url || from >= instance.History.Count) return [];
        var state = Name(instance.State.ToString());
        var messages = new List<WebhookMessage>(instance.History.Count - from);
        for (var seq = from; seq < instance.History.Count; seq++)
        {
            var e = instance.History[seq];
            var id = $"{instance.Id}/{seq.ToString("D6", CultureInfo.InvariantCulture)}";
            var payload = new WebhookPayload(id, instance.Id, instance.WorkflowId, e.StepId, Name(e.Kind.ToString()), e.Actor, e.At, e.Text, e.Via,
                instance.ExternalRef, state, seq);
            messages.Add(new WebhookMessage(KeyPrefix + id, url, JsonSerializer.Serialize(payload, Json)));
        }
        return messages;
    }

    private static string Name(string value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value);
}
