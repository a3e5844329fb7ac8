using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Scheduling;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using Xunit.Abstractions;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;
using Chat = Orchestrator.Host.Tests.Infrastructure.TeamsStory;

namespace Orchestrator.Host.Tests.Proof;

/// <summary>
/// Two hosts on one PostgreSQL database, as behind a load balancer: any request may land on either, each piece of work is
/// done by one of them, and what one host took and could not finish (it was killed) the other finishes, exactly once.
/// </summary>
public sealed class SeveralHostsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AuditKey = "several-hosts-test-audit-key";
    private SlackFake _slack = null!;
    private BotConnectorFake _connector = null!;
    private readonly List<IAsyncDisposable> _hosts = [];

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _connector = await Chat.StartConnector();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await _connector.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private static Dictionary<string, string?> Shared(string database, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = database,
            ["Audit:Key"] = AuditKey,
            // A killed host's claims come free after this; short, so a test sees the other host take over soon.
            ["Delivery:Lease"] = "00:00:03",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>()) settings[k] = v;
        return settings;
    }

    private TestHost InProcess(string database, IDictionary<string, string?>? more = null, TimeProvider? time = null)
    {
        var host = TestHost.Start(_slack, settings: Shared(database, more), time: time);
        _hosts.Add(host);
        return host;
    }

    [SkippableFact]
    public async Task Two_hosts_run_the_purchase_story_in_Slack_and_Teams_each_finishing_what_the_other_received()
    {
        var database = PostgresServer.NewDatabase();
        // Bob reads his cards in Teams; everyone else is in Slack.
        var directory = new Dictionary<string, string?> { ["Directory:Path"] = Chat.Directory(("bob@example.com", "teams")) };
        var a = InProcess(database, directory);
        var b = InProcess(database, directory);

        // Bob installs the app through host B; Alice asks through host A.
        await b.SendActivity(Chat.Install(_connector, Chat.Bob));
        Assert.Equal(HttpStatusCode.OK, (await a.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"")).StatusCode);

        await _connector.WaitFor(c => c.Cards(Chat.Bob.Chat).Count == 1, "Bob's card in Teams", TimeSpan.FromMinutes(2));
        // Bob clicks; the click reaches host A, which did not post his card.
        var answer = await a.Click(_connector, Chat.Bob, "approve", _connector.Cards(Chat.Bob.Chat)[0].Card!.ActionData("approve"));
        Assert.Contains("Approved by Bob Brown", answer["value"]!.AsObject().Text());

        await _slack.WaitFor(s => s.Cards(Dave).Count == 1 && s.Cards(Erin).Count == 1, TimeSpan.FromMinutes(2), "both finance cards in Slack");
        Assert.Equal(HttpStatusCode.OK, (await b.Click(_slack, Dave, "approve", _slack.Cards(Dave)[0].ButtonValue("approve"))).StatusCode);
        await _slack.WaitFor(s => s.Cards(Erin)[0].AllText().Contains("1 of 2 approvals"), TimeSpan.FromMinutes(2), "Erin sees Dave's approval");
        Assert.Equal(HttpStatusCode.OK, (await a.Click(_slack, Erin, "approve", _slack.Cards(Erin)[0].ButtonValue("approve"))).StatusCode);

        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("purchase-1 (Purchase request) is approved")), TimeSpan.FromMinutes(2), "Alice told approved");
        await Eventually.Until(() => a.Store.AllOutbox().All(o => o.State == OutboxState.Delivered), "every message delivered");

        // Nothing twice: one card each, one approval notice, one instance with one number.
        Assert.Single(_connector.Cards(Chat.Bob.Chat));
        Assert.Single(_slack.Cards(Dave));
        Assert.Single(_slack.Cards(Erin));
        Assert.Single(_slack.Dm(Alice), m => m.AllText().Contains("is approved"));
        Assert.Equal(1, b.Store.CountInstances());
        Assert.Equal(InstanceState.Completed, b.Store.Get("purchase-1")!.State);
        Assert.True(a.Store.VerifyAudit(System.Text.Encoding.UTF8.GetBytes(AuditKey)).Intact);
        // Both hosts delivered part of the work, or one did all: either way each message went out once, which is the point;
        // the log says which host took what.
        foreach (var o in a.Store.AllOutbox()) output.WriteLine($"{o.Key} {o.Kind} {o.State} attempts={o.Attempts}");
    }

    [SkippableFact]
    public async Task Starts_on_both_hosts_at_once_get_distinct_numbers_and_one_card_each()
    {
        var database = PostgresServer.NewDatabase();
        var a = InProcess(database);
        var b = InProcess(database);

        var sends = Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? a : b).Command(_slack, Alice, $"start purchase amount=100 item=Pen{i}"));
        Assert.All(await Task.WhenAll(sends), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        await _slack.WaitFor(s => s.Cards(Bob).Count >= 10, TimeSpan.FromMinutes(2), "ten cards for Bob");
        await Eventually.Until(() => a.Store.AllOutbox().All(o => o.State == OutboxState.Delivered), "every message delivered");
        Assert.Equal(10, _slack.Cards(Bob).Count);
        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"purchase-{n}"), a.Store.ListInstances(null, null, null, 50).Select(i => i.Id).Order(StringComparer.Ordinal).OrderBy(id => id.Length));
    }

    [SkippableFact]
    public async Task A_tick_on_both_hosts_at_once_reminds_once()
    {
        var database = PostgresServer.NewDatabase();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var a = InProcess(database, time: time);
        var b = InProcess(database, time: time);
        await a.Command(_slack, Alice, "start purchase amount=100 item=Stapler");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, TimeSpan.FromMinutes(2), "Bob's card");
        await Eventually.Until(() => a.Store.AllOutbox().All(o => o.State == OutboxState.Delivered), "the card's delivery recorded");

        time.Advance(TimeSpan.FromHours(5));
        var ticks = new[] { a, b }.Select(h => Task.Run(() => ActivatorUtilities.CreateInstance<SchedulerTick>(h.Services).Invoke()));
        await Task.WhenAll(ticks);
        // Then once more each, one after the other: what was done is not done again.
        await ActivatorUtilities.CreateInstance<SchedulerTick>(a.Services).Invoke();
        await ActivatorUtilities.CreateInstance<SchedulerTick>(b.Services).Invoke();

        await _slack.WaitFor(s => s.Dm(Bob).Any(m => m.AllText().Contains("Reminder")), TimeSpan.FromMinutes(2), "Bob reminded");
        await Eventually.Until(() => a.Store.AllOutbox().All(o => o.State == OutboxState.Delivered), "the reminder delivered");
        Assert.Single(_slack.Dm(Bob), m => m.AllText().Contains("Reminder"));
    }

    [SkippableFact]
    public async Task Admin_reload_on_one_host_reloads_the_other()
    {
        var database = PostgresServer.NewDatabase();
        var folder = TestWorkflows.Folder(TestWorkflows.Team);
        var a = InProcess(database, new Dictionary<string, string?> { ["Workflows:Path"] = folder });
        var b = InProcess(database, new Dictionary<string, string?> { ["Workflows:Path"] = folder });
        var catalogB = b.Services.GetRequiredService<Catalog>();
        Assert.DoesNotContain(catalogB.Definitions, d => d.Id == "stationery");

        File.WriteAllText(Path.Combine(folder, "stationery.yaml"), """
            id: stationery
            name: Stationery
            inputs:
              - { id: item, label: Item, type: text, required: true }
            steps:
              - { id: manager, kind: approval, title: "Order {{item}}", assignees: manager }
            """);
        var reply = a.Services.GetRequiredService<CommandService>().Execute("admin reload", "carol@example.com", "slack");
        Assert.Contains("stationery@", reply.Text);

        await Eventually.Until(() => catalogB.Definitions.Any(d => d.Id == "stationery"), "host B reloaded");
    }

    [SkippableFact]
    public async Task A_key_revoked_with_the_cli_while_both_hosts_run_is_refused_by_both()
    {
        var database = PostgresServer.NewDatabase();
        var a = InProcess(database);
        var b = InProcess(database);
        var key = a.CreateKey("jira");
        Assert.Equal(HttpStatusCode.OK, (await b.Get("/api/v1/instances", key)).StatusCode);

        var (code, stdout, stderr) = await HostProcess.Run(
            new Dictionary<string, string?> { ["Storage__Provider"] = "postgres", ["Storage__ConnectionString"] = database },
            "apikey", "revoke", "jira");
        Assert.True(code == 0, stderr);
        Assert.Contains("Revoked API key 'jira'", stdout);

        Assert.Equal(HttpStatusCode.Unauthorized, (await a.Get("/api/v1/instances", key)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await b.Get("/api/v1/instances", key)).StatusCode);
        var (listCode, list, _) = await HostProcess.Run(
            new Dictionary<string, string?> { ["Storage__Provider"] = "postgres", ["Storage__ConnectionString"] = database }, "apikey", "list");
        Assert.Equal(0, listCode);
        Assert.Contains("jira", list);
    }

    [SkippableFact]
    public async Task A_host_killed_mid_delivery_leaves_its_work_to_the_other_and_nothing_reaches_Slack_twice()
    {
        var database = PostgresServer.NewDatabase();
        var settings = Shared(database);
        var dbPath = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"unused-{Guid.NewGuid():N}.db");
        var a = await ChildHost.Start(_slack, dbPath, settings);
        _hosts.Add(a);
        // Slack takes host A's post of Bob's card but answers too late: A dies not knowing it landed.
        _slack.AnswerLate("chat.postMessage", TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.OK, (await a.Command(_slack, Alice, "start purchase amount=300 item=Chair")).StatusCode);
        await _slack.WaitFor(s => s.CallsTo("chat.postMessage").Count >= 1, TimeSpan.FromMinutes(2), "host A posting Bob's card");
        await a.Kill();

        var b = await ChildHost.Start(_slack, dbPath, settings);
        _hosts.Add(b);
        // B takes the message once A's lease runs out, finds the post A made, and carries on from there.
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, TimeSpan.FromMinutes(2), "Bob's card");
        await b.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("is approved")), TimeSpan.FromMinutes(2), "Alice told approved, by host B");

        await Task.Delay(500); // a doubled post would arrive within a sweep; give it the chance to show
        Assert.Single(_slack.Cards(Bob));
        Assert.Single(_slack.Dm(Alice), m => m.AllText().Contains("is approved"));
        output.WriteLine(b.Output);
    }
}
