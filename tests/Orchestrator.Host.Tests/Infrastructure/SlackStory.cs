using System.Text.Json.Nodes;
using Orchestrator.Host.Tests.Fakes;

namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>The sample directory's people as Slack users, and ways to read what each of them sees.</summary>
internal static class SlackStory
{
    public const string Alice = "UALICE";
    public const string Bob = "UBOB";
    public const string Carol = "UCAROL";
    public const string Dave = "UDAVE";
    public const string Erin = "UERIN";
    public const string Frank = "UFRANK";
    public const string Mallory = "UMALLORY";

    public static async Task<SlackFake> StartSlack()
    {
        var slack = await SlackFake.StartNew();
        slack.AddUser(Alice, "alice@example.com", "Alice Adams", "Europe/Berlin");
        slack.AddUser(Bob, "bob@example.com", "Bob Brown", "Europe/Berlin");
        slack.AddUser(Carol, "carol@example.com", "Carol Chen", "America/New_York");
        slack.AddUser(Dave, "dave@example.com", "Dave Diaz", "Europe/London");
        slack.AddUser(Erin, "erin@example.com", "Erin Evans", "Asia/Tokyo");
        slack.AddUser(Frank, "frank@example.com", "Frank Fischer", "Europe/Berlin");
        slack.AddUser(Mallory, "mallory@example.com", "Mallory Moss", "Europe/Berlin");
        return slack;
    }

    /// <summary>Messages in a user's DM with the bot, oldest first, as they stand now.</summary>
    public static IReadOnlyList<SlackFakeMessage> Dm(this SlackFake slack, string userId)
    {
        var channel = slack.DirectChannelOf(userId);
        return slack.Messages.Where(m => m.Channel == channel).ToList();
    }

    /// <summary>Cards (messages with buttons or outcome) in a user's DM.</summary>
    public static IReadOnlyList<SlackFakeMessage> Cards(this SlackFake slack, string userId) =>
        slack.Dm(userId).Where(m => m.Blocks is { Count: > 0 }).ToList();

    public static IEnumerable<JsonObject> Buttons(this SlackFakeMessage message) =>
        (message.Blocks ?? []).OfType<JsonObject>()
            .Where(b => (string?)b["type"] == "actions")
            .SelectMany(b => b["elements"]!.AsArray().OfType<JsonObject>());

    public static string ButtonValue(this SlackFakeMessage message, string actionId) =>
        (string)message.Buttons().Single(b => (string?)b["action_id"] == actionId)["value"]!;

    public static string AllText(this SlackFakeMessage message) => (message.Text ?? "") + "\n" + (message.Blocks?.ToJsonString() ?? "");

    /// <summary>Texts sent back through response_url (private answers to commands and clicks).</summary>
    public static IReadOnlyList<string> Responses(this SlackFake slack) =>
        slack.Calls.Where(c => c.Method.StartsWith("respond/", StringComparison.Ordinal)).Select(c => c.Arg("text") ?? "").ToList();

    /// <summary>The answers posted to one request's <c>response_url</c>, so a late answer to another request cannot be mistaken for it.</summary>
    /// <summary>Runs <c>/orchestrate text</c> as <paramref name="user"/> and returns its private answer, the first that contains <paramref name="expect"/>.</summary>
    public static async Task<string> Answer(this TestHost host, SlackFake slack, string user, string text, string expect)
    {
        var id = $"cmd-{Guid.NewGuid():N}";
        await host.Command(slack, user, text, id);
        await slack.WaitFor(s => s.ResponsesTo(id).Any(r => r.Contains(expect)), what: $"the answer to '{text}' saying '{expect}'");
        return slack.ResponsesTo(id).First(r => r.Contains(expect));
    }

    public static IReadOnlyList<string> ResponsesTo(this SlackFake slack, string responseId) =>
        slack.Calls.Where(c => c.Method == $"respond/{responseId}").Select(c => c.Arg("text") ?? "").ToList();
}
