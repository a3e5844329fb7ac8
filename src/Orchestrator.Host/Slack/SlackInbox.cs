using System.Security.Cryptography;
using System.Text;
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

    // LiteDB refuses index keys of 1,023 bytes or more; ids Slack sends are far shorter, but a signed request's are not ours to trust.
    private const int MaxKeyBytes = 512;

    public bool Record(string key, string kind, string body)
    {
        var added = store.TryRecordInbound(Bounded(key), kind, body, null, time.GetUtcNow());
        if (added) Recorded?.Invoke();
        return added;
    }

    /// <summary>The key itself, or a hash of an overlong one: still one record per distinct request.</summary>
    private static string Bounded(string key) =>
        Encoding.UTF8.GetByteCount(key) <= MaxKeyBytes ? key : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
