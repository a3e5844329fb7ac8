using System.Text.Json.Nodes;
using LiteDB;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Scheduling;

/// <summary>
/// One instance whose record the store can no longer save (grown to just under LiteDB's 16 MB document limit, so its next
/// change is refused) through the real host: the others keep being reminded, and the bad one is named to admins.
/// </summary>
public sealed class SetAsideTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private SlackFake _slack = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        var folder = Directory.CreateTempSubdirectory("orchestrator-setaside").FullName;
        File.WriteAllText(Path.Combine(folder, "quick.yaml"), """
            id: quick
            name: Quick approval
            inputs:
              - { id: item, label: Item, type: text, required: true }
            steps:
              - id: manager
                title: "Quick {{item}}"
                assignees: manager
                remind: 2s
            """);
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?>
        {
            ["Workflows:Path"] = folder,
            ["Scheduler:TickSeconds"] = "1",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task An_instance_the_store_cannot_save_is_set_aside_and_named_while_the_others_are_still_reminded()
    {
        await _host.Command(_slack, Alice, "start quick item=Pen");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, timeout: Patience, what: "Bob's first card");
        await _host.Command(_slack, Alice, "start quick item=Ink");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 2, timeout: Patience, what: "Bob's second card");
        var penCard = _slack.Cards(Bob).Single(c => c.AllText().Contains("quick-1"));

        GrowToTheLimit("quick-1");

        await Eventually.Until(() => _host.Store.SetAside().Any(s => s.InstanceId == "quick-1"), "quick-1 set aside", Patience);
        var setAside = Assert.Single(_host.Store.SetAside());
        Assert.Contains("Nudged Bob Brown", setAside.What);

        // The other instance is still reminded, tick after tick, after the failure.
        var inkReminders = InkReminders();
        await _slack.WaitFor(_ => InkReminders() >= inkReminders + 2, timeout: Patience, what: "quick-2 still reminded after quick-1 failed");

        // Admins see it in their queue, and readiness names it without failing the host.
        var stuckResponses = _slack.Responses().Count;
        await _host.Command(_slack, Carol, "admin stuck");
        await _slack.WaitFor(s => s.Responses().Count > stuckResponses, timeout: Patience, what: "the answer to admin stuck");
        var stuck = _slack.Responses()[^1];
        Assert.Contains("quick-1 at manager", stuck);
        Assert.Contains("cannot be saved", stuck);
        Assert.DoesNotContain("quick-2", stuck);

        var ready = await _host.Client.GetAsync("/readyz");
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        var problems = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["problems"]!.AsArray().Select(p => (string)p!).ToList();
        Assert.Contains(problems, p => p.Contains("quick-1") && p.Contains("cannot be saved"));

        // A click on it is answered, privately, instead of dropped.
        var clickResponses = _slack.Responses().Count;
        await _host.Click(_slack, Bob, "approve", penCard.ButtonValue("approve"));
        await _slack.WaitFor(s => s.Responses().Count > clickResponses, timeout: Patience, what: "an answer to the click on quick-1");
        Assert.Contains("could not be recorded", _slack.Responses()[^1]);
        Assert.Contains("An admin has been told", _slack.Responses()[^1]);
        Assert.Null(_host.Store.Get("quick-1")!.Steps[0].Assignments[0].Decision);

        // The other instance still takes decisions.
        var inkCard = _slack.Cards(Bob).Single(c => c.AllText().Contains("quick-2"));
        await _host.Click(_slack, Bob, "approve", inkCard.ButtonValue("approve"));
        await Eventually.Until(() => _host.Store.Get("quick-2")!.State == InstanceState.Completed, "quick-2 approved", Patience);
    }

    private int InkReminders() => _slack.Dm(Bob).Count(m => m.AllText().Contains("Reminder") && m.AllText().Contains("quick-2"));

    /// <summary>Pads an input of the instance until its stored record is a few bytes short of LiteDB's document limit.</summary>
    private void GrowToTheLimit(string id)
    {
        var limit = (int)typeof(LiteDatabase).Assembly.GetType("LiteDB.Constants")!.GetField("MAX_DOCUMENT_SIZE")!.GetValue(null)!;
        var instances = ((Orchestrator.Host.Storage.LiteDbStore)_host.Store).Database.GetCollection("instances");
        for (var attempt = 0; ; attempt++)
        {
            var instance = _host.Store.Get(id)!;
            instance.Inputs["padding"] = "";
            var revision = instance.Revision;
            instance.Revision = revision + 1;
            if (!_host.Store.TryUpdate(instance, revision, [])) continue;
            var size = BsonSerializer.Serialize(instances.FindById(id)).Length;
            // The next change (a nudge adds an event of over a hundred bytes) no longer fits.
            instance.Inputs["padding"] = new string('x', limit - size - 40);
            instance.Revision = revision + 2;
            if (_host.Store.TryUpdate(instance, revision + 1, [])) return;
            Assert.True(attempt < 20, "the instance kept changing");
        }
    }
}
