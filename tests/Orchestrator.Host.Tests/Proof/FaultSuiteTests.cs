using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using Xunit.Abstractions;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Proof;

/// <summary>
/// Slack and the Bot Connector answer 429 and 500, time out and refuse connections in seeded random patterns while
/// requests are started and decided: in the end every card, update and note arrives exactly once.
/// </summary>
public sealed class FaultSuiteTests(ITestOutputHelper output)
{
    private const int Requests = 6;

    /// <summary>The settings, on a fresh PostgreSQL database when <paramref name="provider"/> says so (the LiteDB file otherwise).</summary>
    private static Dictionary<string, string?> On(string provider, Dictionary<string, string?> settings)
    {
        if (provider != "postgres") return settings;
        settings["Storage:Provider"] = "postgres";
        settings["Storage:ConnectionString"] = PostgresServer.NewDatabase();
        settings["Audit:Key"] = "fault-suite-audit-key";
        return settings;
    }

    [SkippableTheory]
    [InlineData(11, "litedb")]
    [InlineData(29, "litedb")]
    [InlineData(11, "postgres")]
    public async Task Every_Slack_effect_arrives_exactly_once_through_seeded_faults(int seed, string provider)
    {
        var random = new Random(seed);
        await using var slack = await StartSlack();
        await using var host = TestHost.Start(slack, settings: On(provider, new Dictionary<string, string?> { ["Slack:ApiTimeout"] = "00:00:00.400" }));
        string[] methods = ["chat.postMessage", "chat.update", "conversations.open", "users.info"];
        var outage = Task.CompletedTask;
        var faults = new List<string>();

        for (var n = 1; n <= Requests; n++)
        {
            for (var f = random.Next(0, 3); f > 0; f--)
            {
                var method = methods[random.Next(methods.Length)];
                switch (random.Next(5))
                {
                    case 0: slack.RateLimitNext(method, retryAfterSeconds: 1); faults.Add($"429 {method}"); break;
                    case 1: slack.ServerErrorNext(method); faults.Add($"500 {method}"); break;
                    case 2: slack.DelayNext(method, TimeSpan.FromSeconds(1)); faults.Add($"timeout before acceptance {method}"); break;
                    // Slack takes the call but the answer comes after the client gave up: a retry must find the post, not repeat it.
                    case 3: slack.AnswerLate(method, TimeSpan.FromSeconds(1)); faults.Add($"timeout after acceptance {method}"); break;
                    default:
                        if (!outage.IsCompleted) break;
                        var down = TimeSpan.FromMilliseconds(random.Next(200, 1200));
                        faults.Add($"refused for {down.TotalMilliseconds:F0} ms");
                        outage = Outage(slack, down);
                        break;
                }
            }
            Assert.Equal(HttpStatusCode.OK, (await host.Command(slack, Alice, $"start purchase amount={random.Next(1, 900)} item=\"Thing {n}\"")).StatusCode);
        }
        await outage;

        await slack.WaitFor(s => s.Cards(Bob).Count >= Requests, TimeSpan.FromSeconds(180), "every card posted");
        foreach (var card in slack.Cards(Bob))
            Assert.Equal(HttpStatusCode.OK, (await host.Click(slack, Bob, "approve", card.ButtonValue("approve"))).StatusCode);
        await slack.WaitFor(s => s.Cards(Bob).All(c => c.Updates > 0 && !c.Buttons().Any())
            && Enumerable.Range(1, Requests).All(n => s.Dm(Alice).Any(m => m.AllText().Contains($"purchase-{n} (Purchase request) is approved"))),
            TimeSpan.FromSeconds(180), "every card closed and every requester told");
        await WaitSettled(host);

        output.WriteLine($"seed {seed}: {string.Join("; ", faults)}");
        Assert.Equal(Requests, slack.Cards(Bob).Count);
        for (var n = 1; n <= Requests; n++)
            Assert.Single(slack.Dm(Alice), m => m.AllText().Contains($"purchase-{n} (Purchase request) is approved"));
        var keys = slack.Messages.Select(m => (string?)m.Metadata?["event_payload"]?["key"]).ToList();
        Assert.All(keys, k => Assert.NotNull(k));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.DoesNotContain(host.Store.AllOutbox(), o => o.State == OutboxState.Failed);
    }

    [SkippableTheory]
    [InlineData(5, "litedb")]
    [InlineData(17, "litedb")]
    [InlineData(5, "postgres")]
    public async Task Every_Teams_card_arrives_once_per_outbox_key_through_seeded_faults(int seed, string provider)
    {
        var random = new Random(seed);
        await using var slack = await StartSlack();
        await using var connector = await TeamsStory.StartConnector();
        await using var proxy = await FaultProxy.StartNew(connector.ServiceUrl);
        await using var host = TestHost.Start(slack, settings: On(provider, new Dictionary<string, string?>
        {
            ["Directory:Path"] = TeamsStory.Directory(("bob@example.com", "teams")),
        }));
        // Bob's chat with the bot names the proxy as its serviceUrl, so every later call to the connector passes through it.
        var install = TeamsStory.Install(connector, TeamsStory.Bob);
        install["serviceUrl"] = proxy.Url.ToString();
        Assert.Equal(HttpStatusCode.OK, (await host.SendActivity(install)).StatusCode);
        var faults = new List<string>();
        var outage = Task.CompletedTask;

        for (var n = 1; n <= Requests; n++)
        {
            for (var f = random.Next(0, 3); f > 0; f--)
            {
                switch (random.Next(4))
                {
                    case 0: connector.FailNext(BotConnectorFake.Send, 429, retryAfterSeconds: 1); faults.Add("429 send"); break;
                    case 1: connector.FailNext(random.Next(2) == 0 ? BotConnectorFake.Send : BotConnectorFake.Update, 500); faults.Add("500"); break;
                    // Only before acceptance: Teams offers no look-up of an earlier post, so a timeout after it could double a card.
                    case 2: proxy.DropNext(TimeSpan.FromMilliseconds(random.Next(50, 500))); faults.Add("dropped before acceptance"); break;
                    default:
                        if (!outage.IsCompleted) break;
                        var down = TimeSpan.FromMilliseconds(random.Next(200, 1200));
                        faults.Add($"refused for {down.TotalMilliseconds:F0} ms");
                        outage = Outage(proxy, down);
                        break;
                }
            }
            Assert.Equal(HttpStatusCode.OK, (await host.Command(slack, Alice, $"start purchase amount={random.Next(1, 900)} item=\"Thing {n}\"")).StatusCode);
        }
        await outage;

        await connector.WaitFor(c => c.Cards(TeamsStory.Bob.Chat).Count >= Requests, "every card posted", TimeSpan.FromSeconds(180));
        var cardsFor = new List<string?>();
        foreach (var card in connector.Cards(TeamsStory.Bob.Chat))
        {
            var data = card.Card!.ActionData("approve");
            cardsFor.Add((string?)data["instanceId"]);
            var click = TeamsStory.CardAction(connector, TeamsStory.Bob, "approve", data);
            click["serviceUrl"] = proxy.Url.ToString();
            Assert.Equal(HttpStatusCode.OK, (await host.SendActivity(click)).StatusCode);
        }
        await connector.WaitFor(c => c.Cards(TeamsStory.Bob.Chat).All(a => a.Updates > 0), "every card updated in place", TimeSpan.FromSeconds(180));
        await slack.WaitFor(s => Enumerable.Range(1, Requests).All(n => s.Dm(Alice).Any(m => m.AllText().Contains($"purchase-{n} (Purchase request) is approved"))),
            TimeSpan.FromSeconds(180), "every requester told in Slack");
        await WaitSettled(host);

        output.WriteLine($"seed {seed}: {string.Join("; ", faults)}; {proxy.Dropped} dropped");
        var cards = connector.Cards(TeamsStory.Bob.Chat);
        Assert.Equal(Requests, cards.Count);
        Assert.Equal(Requests, cardsFor.Distinct().Count());
        Assert.All(cards, c => Assert.Empty(c.Card!.Actions()));
        Assert.DoesNotContain(host.Store.AllOutbox(), o => o.State == OutboxState.Failed);
    }

    private static async Task Outage(SlackFake slack, TimeSpan down)
    {
        await slack.Stop();
        await Task.Delay(down);
        await slack.Start();
    }

    private static async Task Outage(FaultProxy proxy, TimeSpan down)
    {
        await proxy.Stop();
        await Task.Delay(down);
        await proxy.Start();
    }

    /// <summary>Nothing left to deliver, and a sweep's worth of time for anything doubled to show.</summary>
    private static async Task WaitSettled(TestHost host)
    {
        for (var i = 0; i < 300 && host.Store.AllOutbox().Any(o => o.State == OutboxState.Pending); i++) await Task.Delay(50);
        await Task.Delay(400);
    }
}
