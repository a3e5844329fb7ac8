using Orchestrator.Core.Commands;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Storage;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace Orchestrator.Host.Slack;

/// <summary>A person's App Home tab: what waits for them, with the cards' own buttons, and their requests.</summary>
internal static class SlackHome
{
    /// <summary>An outbox message asking for a person's home tab to be drawn afresh from the current state.</summary>
    internal sealed record PublishHomeMessage(string Email);

    /// <summary>Queues a fresh draw of a person's App Home; drawn from the state at delivery, so a late one is never stale.</summary>
    public static void Queue(IOutbox store, string email, string key) =>
        store.Enqueue(OutboxKinds.SlackHome, key, null, email, JsonSerializer.Serialize(new PublishHomeMessage(email), StoreJson.Options));

    public static HomeView Render(HomeModel home)
    {
        var blocks = new List<Block>
        {
            new HeaderBlock(new PlainText(home.Waiting.Count == 0 ? "Nothing waits for you 🎉" : $"Waiting for you ({home.Waiting.Count})")),
        };
        foreach (var w in home.Waiting)
        {
            blocks.Add(new SectionBlock(new Markdown($"*{SlackCards.Escape(w.Title)}* · `{w.InstanceId}`")));
            var context = $"from {w.RequestedBy} · since {TimeText.Format(w.Since, home.Zone)}"
                + (w.DueAt is { } due ? $" · due {TimeText.Format(due, home.Zone)}" : "")
                + (w.Note is null ? "" : $" · {w.Note}");
            blocks.Add(new ContextBlock([new Markdown(BlockKitText.Clip(SlackCards.Escape(context), 500, SlackCards.More(w.InstanceId)))]));
            if (w.AssignmentId is { } assignment)
                blocks.Add(new ActionsBlock(SlackCards.DecisionButtons(w.Kind == HomeItemKind.Task, SlackCards.ButtonValue(w.InstanceId, assignment)), BlockId: $"home:{w.InstanceId}:{assignment}"));
        }

        blocks.Add(new DividerBlock());
        blocks.Add(new HeaderBlock(new PlainText(home.Requests.Count == 0 ? "You have not started any request yet" : "Your requests")));
        foreach (var r in home.Requests)
            blocks.Add(new SectionBlock(new Markdown(BlockKitText.Clip($"`{r.InstanceId}` *{SlackCards.Escape(r.WorkflowName)}*: {SlackCards.Escape(r.Where)}", 1000, SlackCards.More(r.InstanceId)))));
        blocks.Add(new ContextBlock([new Markdown("Start one with `/orchestrate start <workflow>`; `/orchestrate help` lists the rest.")]));
        return new HomeView(blocks);
    }
}
