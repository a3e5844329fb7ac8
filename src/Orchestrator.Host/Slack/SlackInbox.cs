using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

/// <summary>Durable record of verified Slack requests; a repeated key (Slack retry, replayed event) is recorded once.</summary>
internal sealed class SlackInbox(LiteDbStore store, TimeProvider time)
{
    public const string Command = "slack.command";
    public const string Action = "slack.action";
    public const string View = "slack.view";
    public const string Event = "slack.event";

    /// <summary>Raised after a new request was recorded, so it is processed at once.</summary>
    public event Action? Recorded;

    public bool Record(string key, string kind, string body)
    {
        var added = store.TryRecordInbound(key, kind, body, null, time.GetUtcNow());
        if (added) Recorded?.Invoke();
        return added;
    }
}
