using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Playground;

/// <summary>
/// The browser playground as its page uses it: activities go through the bot's own <c>/api/messages</c>, and the bot's
/// answers, cards and updates come back through the host's own Bot Connector (on a real loopback port).
/// </summary>
public sealed class PlaygroundTests
{
    private const string Alice = "alice@example.com", Bob = "bob@example.com", Dave = "dave@example.com", Erin = "erin@example.com";

    /// <summary>No Slack and no MicrosoftAppId: a first run, where the playground is on by default.</summary>
    internal static readonly Dictionary<string, string?> NothingConfigured = new() { ["Slack:BotToken"] = "", ["Slack:SigningSecret"] = "" };

    [Fact]
    public async Task A_purchase_goes_from_the_chat_box_through_every_approver_to_approved_and_each_card_is_updated_in_place()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: NothingConfigured, kestrel: true);
        var people = await host.Post("/playground/join", new JsonObject());
        Assert.Equal(HttpStatusCode.OK, people.StatusCode);
        Assert.Contains(Bob, await people.Content.ReadAsStringAsync());

        await host.Say(Alice, "start purchase amount=1500");
        var form = await host.WaitForCard(Alice, c => c.Text().Contains("Start Purchase request"));
        var started = await host.ClickCard(Alice, form, "start", new JsonObject { ["workflow"] = "purchase", ["amount"] = "1500", ["item"] = "Laptop" });
        Assert.Contains("Started purchase-1", (string?)started["note"]);

        var bobs = await host.WaitForCard(Bob, c => c.Text().Contains("Purchase of Laptop for 1500 EUR"));
        var data = bobs.Card().ActionData("approve");
        var refused = await host.ClickCard(Bob, bobs, "approve", data, clicker: Dave);
        Assert.Contains("This card is for Bob Brown; only they can answer it", (string?)refused["note"]);
        Assert.Contains("Approve", (await host.Entry(Bob, (string)bobs["id"]!)).Card().Text());

        await host.ClickCard(Bob, bobs, "approve", data);
        var decided = await host.Entry(Bob, (string)bobs["id"]!);
        Assert.Contains("Approved by Bob Brown", decided.Card().Text());
        Assert.Empty(decided.Card().Actions());

        foreach (var finance in new[] { Dave, Erin })
        {
            var card = await host.WaitForCard(finance, c => c.Text().Contains("Purchase of Laptop") && c.Actions().Count > 0);
            await host.ClickCard(finance, card, "approve", card.Card().ActionData("approve"));
        }
        await host.WaitForEntry(Alice, e => ((string?)e["text"])?.Contains("purchase-1 (Purchase request) is approved") == true, "Alice told purchase-1 is approved");
    }

    [Fact]
    public async Task The_bot_knows_who_types_from_the_directory_person_the_connector_names()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: NothingConfigured, kestrel: true);
        await host.Post("/playground/join", new JsonObject());

        await host.Say(Dave, "mine");

        var answer = await host.WaitForEntry(Dave, e => (bool?)e["fromBot"] == true && ((string?)e["text"])?.Contains("Hi, I'm Orchestrator") != true, "an answer to mine");
        Assert.DoesNotContain("can't see your email", (string?)answer["text"]);
    }

    [Fact]
    public async Task The_chat_arrives_as_server_sent_events_whenever_it_changes()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: NothingConfigured, kestrel: true);
        await host.Post("/playground/join", new JsonObject());
        using var stream = await host.Client.GetAsync($"/playground/events?person={Erin}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Contains("Hi, I'm Orchestrator", await NextEvent(reader));

        await host.Say(Erin, "workflows");

        string events;
        var seen = new StringBuilder();
        do seen.Append(events = await NextEvent(reader)); while (!events.Contains("Purchase request"));
        Assert.Contains("\"text\":\"workflows\"", seen.ToString());
    }

    private static async Task<string> NextEvent(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var lines = new StringBuilder();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0 && lines.Length > 0) return lines.ToString();
            lines.AppendLine(line);
        }
        return lines.ToString();
    }
}

/// <summary>What the playground page does, as calls: join, type, click, read the chat.</summary>
internal static class PlaygroundCalls
{
    public static Task<HttpResponseMessage> Post(this TestHost host, string path, JsonNode body, string? remoteAddress = null, Action<HttpRequestMessage>? change = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        if (remoteAddress is not null) request.Headers.Add(RemoteAddressFilter.Header, remoteAddress);
        change?.Invoke(request);
        return host.Client.SendAsync(request);
    }

    public static async Task Say(this TestHost host, string person, string text)
    {
        var response = await host.Post("/playground/messages", new JsonObject { ["person"] = person, ["text"] = text });
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    public static async Task<JsonObject> ClickCard(this TestHost host, string person, JsonObject entry, string verb, JsonObject data, string? clicker = null)
    {
        var response = await host.Post("/playground/actions", new JsonObject
        {
            ["person"] = person, ["as"] = clicker, ["activityId"] = (string?)entry["id"], ["verb"] = verb, ["data"] = data.DeepClone(),
        });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task<JsonArray> Chat(this TestHost host, string person) =>
        (JsonArray)(await host.Client.GetFromJsonAsync<JsonObject>($"/playground/transcript?person={Uri.EscapeDataString(person)}"))!["entries"]!;

    public static async Task<JsonObject> Entry(this TestHost host, string person, string id) =>
        (await host.Chat(person)).OfType<JsonObject>().Single(e => (string?)e["id"] == id);

    public static JsonObject Card(this JsonObject entry) => (JsonObject)entry["card"]!;

    public static Task<JsonObject> WaitForCard(this TestHost host, string person, Func<JsonObject, bool> card) =>
        host.WaitForEntry(person, e => e["card"] is JsonObject c && card(c), $"a card in {person}'s chat");

    public static async Task<JsonObject> WaitForEntry(this TestHost host, string person, Func<JsonObject, bool> condition, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var chat = await host.Chat(person);
            if (chat.OfType<JsonObject>().LastOrDefault(condition) is { } found) return found;
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
                Assert.Fail($"{what} did not appear within 60 s. The chat:\n{chat.ToJsonString()}");
            await Task.Delay(50);
        }
    }
}
