using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

/// <summary>Durable record of verified Slack requests; a repeated key (Slack retry, replayed event) is recorded once.</summary>
internal sealed class SlackInbox(IInbox store, TimeProvider time)
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
        var bounded = Bounded(key);
        var added = store.TryRecordInbound(bounded, kind, body, PartitionOf(kind, body, bounded), time.GetUtcNow());
        if (added) Recorded?.Invoke();
        return added;
    }

    /// <summary>The key itself, or a hash of an overlong one: still one record per distinct request.</summary>
    private static string Bounded(string key) =>
        Encoding.UTF8.GetByteCount(key) <= MaxKeyBytes ? key : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The Slack user a request came from (its requests go one at a time, in order); one that names none is a partition of its own.</summary>
    public static string PartitionOf(string kind, string body, string key)
    {
        try
        {
            var user = kind switch
            {
                Command => QueryHelpers.ParseQuery(body).TryGetValue("user_id", out var id) ? id.ToString() : null,
                Event => JsonNode.Parse(body)?["event"]?["user"]?.GetValue<string>(),
                _ => JsonNode.Parse(body)?["user"]?["id"]?.GetValue<string>(),
            };
            return string.IsNullOrEmpty(user) ? $"request:{key}" : $"user:{user}";
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return $"request:{key}";
        }
    }
}
