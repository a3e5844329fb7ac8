using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Scheduling;

/// <summary>Reminders and escalations with second-level durations, through the real host and its Coravel schedule.</summary>
public sealed class SchedulingHostTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        var folder = Directory.CreateTempSubdirectory("orchestrator-quick").FullName;
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
                due: 6s
                on_timeout: escalate
                escalate_to: role:finance-leads
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
    public async Task The_owner_is_nudged_in_the_cards_thread_then_the_step_escalates_and_everyone_is_told()
    {
        await _host.Command(_slack, Alice, "start quick item=Pen");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        var card = _slack.Cards(Bob)[0];

        await _slack.WaitFor(s => s.Dm(Bob).Any(m => m.ThreadTs == card.Ts && m.AllText().Contains("Reminder")), what: "a nudge threaded on Bob's card");
        Assert.Single(_slack.Cards(Bob));

        await _slack.WaitFor(s => s.Cards(Frank).Count == 1, timeout: TimeSpan.FromSeconds(60), what: "Frank's card after the deadline");
        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0 && !s.Cards(Bob)[0].Buttons().Any(), what: "Bob's card says it moved");
        Assert.Contains("Moved to Frank Fischer", _slack.Cards(Bob)[0].AllText());
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("moved from Bob Brown to Frank Fischer")), what: "Alice told of the handoff");

        var instance = _host.Store.Get("quick-1")!;
        Assert.Contains(instance.History, e => e.Kind == Orchestrator.Core.Instances.EventKind.Handoff && e.Text.Contains("Bob Brown") && e.Text.Contains("Frank Fischer"));

        await _host.Click(_slack, Frank, "approve", _slack.Cards(Frank)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("quick-1 (Quick approval) is approved")), what: "Alice told approved");
        Assert.Null(_host.Store.Get("quick-1")!.NextDueAt());
    }
}
