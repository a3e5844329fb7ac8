using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;
using Orchestrator.Core.Simulation;
using Orchestrator.Core.Tests.Engine;

namespace Orchestrator.Core.Tests.Simulation;

public sealed class SimulatorTests
{
    /// <summary>Monday 2 March 2026, 08:00 UTC: 09:00 in Berlin.</summary>
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private static readonly PeopleDirectory People = DirectoryLoader.Parse("""
        people:
          - { email: alice@example.com, name: Alice Adams, manager: bob@example.com, timezone: Europe/Berlin }
          - { email: bob@example.com, name: Bob Brown, manager: carol@example.com, timezone: Europe/Berlin }
          - { email: carol@example.com, name: Carol Chen, roles: [admin], timezone: America/New_York }
          - { email: dave@example.com, name: Dave Diaz, manager: carol@example.com, roles: [finance], timezone: Europe/London }
          - { email: frank@example.com, name: Frank Fischer, manager: carol@example.com, roles: [finance-leads], timezone: Europe/Berlin }
        """, "directory.yaml").Directory;

    private static readonly WorkflowDefinition Purchase = TestWorld.Definition("""
        id: purchase
        name: Purchase request
        inputs:
          - { id: amount, label: Amount (EUR), type: number, required: true }
          - { id: item, label: Item, type: text, required: true }
        steps:
          - id: manager
            title: "Purchase of {{item}}"
            assignees: manager
            remind: 4h
            due: 1d
            on_timeout: escalate
            escalate_to: role:finance-leads
          - id: finance
            title: "Purchase of {{item}}"
            when: amount > 1000
            assignees: role:finance
            due: 2d
        business_hours: Mon-Fri 09:00-17:00
        """);

    private static readonly Dictionary<string, string> Desk = new() { ["amount"] = "1500", ["item"] = "Desk" };

    private static SimulationResult Run(AnswerPolicy answers, IReadOnlyDictionary<string, string>? inputs = null, TimeSpan? horizon = null) =>
        Simulator.Run(Purchase, People, inputs ?? Desk, "alice@example.com", answers, Monday, horizon);

    [Fact]
    public void When_nobody_answers_the_timeline_shows_the_card_the_nudges_and_the_escalation_up_to_the_admin()
    {
        var result = Run(AnswerPolicy.Never);

        Assert.Equal(SimulationEnd.Horizon, result.End);
        var lines = result.Timeline.Select(e => (e.At, e.What)).ToList();
        Assert.Equal((Monday, "started by Alice Adams"), lines[0]);
        Assert.Equal((Monday, "card to Bob Brown (manager, due Tue 3 Mar 09:00 Europe/Berlin)"), lines[1]);
        Assert.Equal((Monday.AddHours(4), "nudge to Bob Brown"), lines[2]);
        // 17:00 in Berlin is closing time: the next nudge to Bob would wait for Tuesday 09:00, when the deadline moves the step.
        Assert.Contains((Monday.AddDays(1), "deadline passed at manager"), lines);
        Assert.Contains((Monday.AddDays(1), "handoff Bob Brown → Frank Fischer"), lines);
        Assert.Contains((Monday.AddDays(2), "handoff Frank Fischer → Carol Chen"), lines);
        Assert.Contains(lines, l => l.At == Monday.AddDays(3) && l.What.Contains("nobody left to escalate to from Carol Chen", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.What == "nudge to Bob Brown" && l.At > Monday.AddHours(4));
        Assert.Equal((Monday.AddDays(30), "horizon of 30d reached: still waiting on Carol Chen"), lines[^1]);
    }

    [Fact]
    public void Each_entry_names_who_holds_the_step_right_after_it()
    {
        var result = Run(AnswerPolicy.Never);

        Assert.Equal(["bob@example.com"], result.Timeline.Single(e => e.What == "nudge to Bob Brown").Holders);
        Assert.Equal(["frank@example.com"], result.Timeline.Single(e => e.What == "handoff Bob Brown → Frank Fischer").Holders);
        Assert.Equal(["carol@example.com"], result.Timeline[^1].Holders);
    }

    [Fact]
    public void Nudges_fall_inside_each_recipients_working_hours_in_their_own_zone()
    {
        var result = Run(AnswerPolicy.Never, horizon: TimeSpan.FromDays(10));

        var nudges = result.Timeline.Where(e => e.Kind == TimelineKind.Nudge).ToList();
        Assert.NotEmpty(nudges);
        Assert.All(nudges, n =>
            Assert.True(Purchase.BusinessHours!.IsWithin(n.At, TimeText.ZoneOf(People.Find(n.Holders.Single()))), $"{n.What} at {n.At:u}"));
        // Carol is in New York: her first nudge after taking the step on Wednesday 08:00 UTC waits for 09:00 EST.
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 14, 0, 0, TimeSpan.Zero), nudges.First(n => n.What == "nudge to Carol Chen").At);
    }

    [Fact]
    public void When_everyone_approves_after_a_while_the_request_completes_and_each_answer_comes_that_long_after_the_card()
    {
        var result = Run(new AnswerPolicy(TimeSpan.FromHours(2)));

        Assert.Equal(SimulationEnd.Completed, result.End);
        Assert.Equal(
            [
                (Monday, TimelineKind.Card, "card to Bob Brown (manager, due Tue 3 Mar 09:00 Europe/Berlin)"),
                (Monday.AddHours(2), TimelineKind.Decision, "approved by Bob Brown"),
                (Monday.AddHours(2), TimelineKind.Card, "card to Dave Diaz (finance, due Wed 4 Mar 10:00 Europe/London)"),
                (Monday.AddHours(4), TimelineKind.Decision, "approved by Dave Diaz"),
                (Monday.AddHours(4), TimelineKind.Closed, "completed"),
            ],
            result.Timeline.Where(e => e.Kind is TimelineKind.Card or TimelineKind.Decision or TimelineKind.Closed).Select(e => (e.At, e.Kind, e.What)));
        Assert.DoesNotContain(result.Timeline, e => e.Kind is TimelineKind.Nudge or TimelineKind.Handoff);
        Assert.Empty(result.Timeline[^1].Holders);
    }

    [Fact]
    public void An_answer_slower_than_the_deadline_never_comes_from_the_person_the_step_moved_away_from()
    {
        var result = Run(new AnswerPolicy(TimeSpan.FromDays(2)));

        Assert.Contains(result.Timeline, e => e.What == "handoff Bob Brown → Frank Fischer");
        Assert.DoesNotContain(result.Timeline, e => e.What == "approved by Bob Brown");
        Assert.Contains(result.Timeline, e => e.What == "handoff Frank Fischer → Carol Chen");
        Assert.Contains(result.Timeline, e => e.What == "approved by Carol Chen" && e.At == Monday.AddDays(4));
        Assert.Equal(SimulationEnd.Completed, result.End);
    }

    [Fact]
    public void A_step_without_reminders_or_deadline_that_nobody_answers_waits_forever_and_says_so()
    {
        var definition = TestWorld.Definition("""
            id: quiet
            name: Quiet
            steps:
              - id: sign
                title: Sign
                assignees: person:bob@example.com
            """);

        var result = Simulator.Run(definition, People, new Dictionary<string, string>(), "alice@example.com", AnswerPolicy.Never, Monday);

        Assert.Equal(SimulationEnd.WaitsForever, result.End);
        Assert.Equal((Monday, "nothing more happens on its own: waiting on Bob Brown"), (result.Timeline[^1].At, result.Timeline[^1].What));
    }

    [Fact]
    public void Bad_inputs_start_nothing_and_name_the_field()
    {
        var result = Run(AnswerPolicy.Never, new Dictionary<string, string> { ["amount"] = "lots", ["item"] = "Desk" });

        Assert.False(result.Started);
        Assert.Equal(StartOutcome.InvalidInputs, result.Start.Outcome);
        Assert.Equal("amount", Assert.Single(result.Start.Errors!).Field);
        Assert.Empty(result.Timeline);
        Assert.Null(result.End);
    }

    [Theory]
    [InlineData("never", null)]
    [InlineData("NEVER", null)]
    [InlineData("after=6h", "6h")]
    [InlineData(" after=2d ", "2d")]
    [InlineData("after=90m", "90m")]
    public void Answer_policies_parse(string text, string? after)
    {
        Assert.True(AnswerPolicy.TryParse(text, out var policy, out _));
        Assert.Equal(after is null ? null : Durations.TryParse(after, out var d) ? d : null, policy.After);
    }

    [Theory]
    [InlineData("sometimes", "'sometimes' is not an answer policy; use never or after=<duration> (e.g. after=6h)")]
    [InlineData("after=5x", "'5x' is not a duration; write it like 30s, 15m, 4h, 2d or 1w")]
    [InlineData("after=", "'' is not a duration; write it like 30s, 15m, 4h, 2d or 1w")]
    public void Bad_answer_policies_say_what_is_wrong(string text, string error)
    {
        Assert.False(AnswerPolicy.TryParse(text, out _, out var message));
        Assert.Equal(error, message);
    }
}
