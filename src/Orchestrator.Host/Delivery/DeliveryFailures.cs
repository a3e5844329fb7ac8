using System.Text.Json;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Delivery;

/// <summary>
/// A message that could not be delivered for good is an exception someone must act on: the admins are told at once,
/// and the requester learns that their request waits on an admin. Alerts about alerts are not raised, so a broken
/// channel cannot loop.
/// </summary>
internal sealed class DeliveryFailures(IStore store, Catalog catalog)
{
    private const string AlertPrefix = "alert:";

    public void Surface(OutboxItem failed, string error)
    {
        if (failed.Key.StartsWith(AlertPrefix, StringComparison.Ordinal) || failed.Kind != OutboxKinds.Effect) return;
        var effect = JsonSerializer.Deserialize<Effect>(failed.Payload, StoreJson.Options);
        var what = effect switch
        {
            AskDecision ask => $"the card for {ask.Card.StepId} of {ask.InstanceId}",
            UpdateCard update => $"the update of a card of {update.InstanceId}",
            RemindPerson remind => $"a reminder about {remind.InstanceId}",
            _ => string.IsNullOrEmpty(failed.InstanceId) ? "a message" : $"a message about {failed.InstanceId}",
        };
        var people = catalog.People;
        var text = $"⚠️ Could not deliver {what} to {people.NameOf(failed.Recipient ?? "?")}: {error}."
            + (effect is AskDecision ask2 ? $" Fix their chat account, or reassign: admin reassign {ask2.InstanceId} {ask2.Card.StepId} <person>." : "");
        foreach (var admin in people.WithRole("admin"))
            Alert($"{AlertPrefix}{failed.Key}:{admin.Email}", failed.InstanceId, admin.Email, text);

        if (effect is AskDecision && failed.InstanceId is { Length: > 0 } id && store.Get(id) is { } instance
            && !string.Equals(instance.Requester, failed.Recipient, StringComparison.OrdinalIgnoreCase))
            Alert($"{AlertPrefix}{failed.Key}:requester", id, instance.Requester,
                $"⚠️ {id} is waiting on an admin: {people.NameOf(failed.Recipient ?? "?")} could not be reached.");
    }

    private void Alert(string key, string? instanceId, string recipient, string text) =>
        store.Enqueue(OutboxKinds.Effect, key, null, recipient,
            JsonSerializer.Serialize<Effect>(new NotifyPerson { Recipient = recipient, InstanceId = instanceId ?? "", Text = text }, StoreJson.Options));
}
