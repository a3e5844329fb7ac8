using System.Globalization;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

/// <summary>
/// Timelines of reminders and deadlines: the clock jumps from one due moment to the next and the engine ticks there,
/// as the scheduler would, so days pass in milliseconds.
/// </summary>
public sealed class WorkflowEngineTimingTests
{
    private const string Berlin = "berlin@example.com";
    private const string NewYork = "newyork@example.com";
    private const string Tokyo = "tokyo@example.com";

    /// <summary>One person in each of three zones; Erin is the admin.</summary>
    private const string Zones = """
        people:
          - { email: alice@example.com, name: Alice Adams, manager: bob@example.com }
          - { email: bob@example.com, name: Bob Brown }
          - { email: berlin@example.com, name: Bea Berlin, timezone: Europe/Berlin }
          - { email: newyork@example.com, name: Ned York, timezone: America/New_York }
          - { email: tokyo@example.com, name: Toko Tokyo, timezone: Asia/Tokyo }
          - { email: erin@example.com, name: Erin Evans, roles: [admin], timezone: Europe/Berlin }
        """;

    private const string Contract = """
        id: contract
        name: Contract signature
        steps:
          - id: sign
            title: Sign the contract
            assignees: [person:carol@example.com, person:dave@example.com]
            mode: all
            remind: 4h
        """;

    private const string Office = """
        id: office
        name: Office hours
        steps:
          - id: sign
            title: Sign the contract
            assignees: [person:berlin@example.com, person:newyork@example.com, person:tokyo@example.com]
            mode: all
            remind: 4h
        business_hours: Mon-Fri 09:00-17:00
        """;

    /// <summary>Frank lets it lapse, then Alice, then her manager Bob, then the admin Erin.</summary>
    private const string Chain = """
        id: chain
        name: Chain of escalation
        steps:
          - id: sign
            title: Sign the contract
            assignees: person:frank@example.com
            due: 1d
            on_timeout: escalate
            escalate_to: person:alice@example.com
        """;

    private static string OnTimeout(string action) => $"""
        id: lapse
        name: Lapsing request
        steps:
          - id: sign
            title: Sign the contract
            assignees: person:bob@example.com
            due: 1d
            on_timeout: {action}
          - id: tell
            kind: notify
            title: Contract signed
            assignees: person:grace@example.com
        """;

    [Fact]
    public void Every_open_owner_is_nudged_each_remind_interval_with_a_reminder_not_a_second_card()
    {
        var world = new TestWorld(Contract);
        var instance = world.Start("contract", Alice);

        var timeline = RunUntil(world, instance.Id, Monday.AddHours(13));

        Assert.DoesNotContain(timeline, t => t.Effect is AskDecision or UpdateCard);
        var nudges = timeline.Where(t => t.Effect is RemindPerson).Select(t => (t.At, t.Effect.Recipient)).ToList();
        Assert.Equal(
            [
                (Monday.AddHours(4), Carol), (Monday.AddHours(4), Dave),
                (Monday.AddHours(8), Carol), (Monday.AddHours(8), Dave),
                (Monday.AddHours(12), Carol), (Monday.AddHours(12), Dave),
            ],
            nudges);
        var first = (RemindPerson)timeline[0].Effect;
        Assert.Equal(world.CardOf(instance.Id, Carol), first.AssignmentId);
        Assert.Equal("⏰ Reminder: Sign the contract (contract-1) has waited for you 4h.", first.Text);
        Assert.Equal(6, world.Stored(instance.Id).History.Count(e => e.Kind == EventKind.Nudged));
    }

    [Fact]
    public void Someone_who_answered_is_not_nudged_again_while_the_others_still_are()
    {
        var world = new TestWorld(Contract);
        var instance = world.Start("contract", Alice);
        RunUntil(world, instance.Id, Monday.AddHours(5));
        world.Time.SetUtcNow(Monday.AddHours(6));
        Assert.True(world.Approve(instance.Id, Carol).Recorded);

        var timeline = RunUntil(world, instance.Id, Monday.AddDays(1));

        Assert.Equal([Dave], timeline.Select(t => t.Effect).OfType<RemindPerson>().Select(r => r.Recipient).Distinct());
        Assert.Equal(
            [Monday.AddHours(8), Monday.AddHours(12), Monday.AddHours(16), Monday.AddHours(20), Monday.AddHours(24)],
            timeline.Select(t => t.At));
    }

    [Fact]
    public void Once_the_only_owner_answered_nothing_is_due_and_ticks_send_nothing()
    {
        var world = new TestWorld(Contract);
        var instance = world.Start("contract", Alice);
        world.Time.Advance(TimeSpan.FromHours(1));
        world.Approve(instance.Id, Carol);
        world.Approve(instance.Id, Dave);
        world.Store.NewEffects();
        world.Time.Advance(TimeSpan.FromDays(3));

        var result = world.Engine.Tick(instance.Id);

        Assert.Equal(TickOutcome.NothingDue, result.Outcome);
        Assert.Null(world.Stored(instance.Id).NextDueAt());
        Assert.Empty(world.Store.NewEffects());
    }

    /// <summary>
    /// A tick acts at the moment its caller gives it, not at whatever the clock reads: the scheduler reads its clock once
    /// per pass and every instance of the pass is processed at that same moment. The clock here never moves.
    /// </summary>
    [Theory]
    [InlineData(0, 0, "2026-03-02T12:00Z")]          // at the start nothing is due
    [InlineData(3.99, 0, "2026-03-02T12:00Z")]       // a moment before the 4h reminder
    [InlineData(4, 2, "2026-03-02T16:00Z")]          // the reminder: both owners, the next one 4h on from the tick
    [InlineData(30, 2, "2026-03-03T18:00Z")]         // a late tick nudges once and counts on from when it ran
    public void A_tick_acts_at_the_moment_it_is_given(double hoursAfterStart, int nudges, string nextDue)
    {
        var world = new TestWorld(Contract);
        var instance = world.Start("contract", Alice);
        world.Store.NewEffects();
        var at = Monday.AddHours(hoursAfterStart);

        var result = world.Engine.Tick(instance.Id, at);

        Assert.Equal(Monday, world.Time.GetUtcNow());
        Assert.Equal(nudges, result.Nudges);
        Assert.Equal(nudges, world.Store.NewEffects().OfType<RemindPerson>().Count());
        Assert.Equal(Utc(nextDue), world.Stored(instance.Id).NextDueAt());
        Assert.All(world.Stored(instance.Id).History.Where(e => e.Kind == EventKind.Nudged), e => Assert.Equal(at, e.At));
    }

    /// <summary>
    /// Each row starts the request at one UTC instant; the first reminder (4h later) lands in or out of the recipient's
    /// Mon-Fri 09:00-17:00 and, when out, waits for their next opening, across weekends and the 2026 clock changes.
    /// </summary>
    [Theory]
    [InlineData(Berlin, "2026-03-02T08:00Z", "2026-03-02T12:00Z", "2026-03-03T08:00Z")] // Mon 13:00 CET is inside; 17:00 is closing time
    [InlineData(Berlin, "2026-03-02T12:00Z", "2026-03-03T08:00Z", "2026-03-03T12:00Z")] // 17:00 CET exactly is already closed
    [InlineData(Berlin, "2026-03-03T14:00Z", "2026-03-04T08:00Z", "2026-03-04T12:00Z")] // Tue evening waits for Wed 09:00 CET
    [InlineData(Berlin, "2026-03-06T14:00Z", "2026-03-09T08:00Z", "2026-03-09T12:00Z")] // Fri evening waits over the weekend
    [InlineData(Berlin, "2026-03-27T14:00Z", "2026-03-30T07:00Z", "2026-03-30T11:00Z")] // spring forward: Mon 09:00 is CEST
    [InlineData(Berlin, "2026-10-23T13:00Z", "2026-10-26T08:00Z", "2026-10-26T12:00Z")] // fall back: Fri was CEST, Mon 09:00 is CET
    [InlineData(NewYork, "2026-03-06T20:00Z", "2026-03-09T13:00Z", "2026-03-09T17:00Z")] // US spring forward: Fri EST, Mon 09:00 EDT
    [InlineData(NewYork, "2026-03-07T12:00Z", "2026-03-09T13:00Z", "2026-03-09T17:00Z")] // started on the Saturday
    [InlineData(NewYork, "2026-03-27T19:00Z", "2026-03-30T13:00Z", "2026-03-30T17:00Z")] // Europe's change leaves New York alone
    [InlineData(NewYork, "2026-10-30T19:00Z", "2026-11-02T14:00Z", "2026-11-02T18:00Z")] // US fall back: Fri EDT, Mon 09:00 EST
    [InlineData(Tokyo, "2026-03-02T18:00Z", "2026-03-03T00:00Z", "2026-03-03T04:00Z")] // 07:00 JST waits two hours for 09:00
    [InlineData(Tokyo, "2026-03-27T06:00Z", "2026-03-30T00:00Z", "2026-03-30T04:00Z")] // no DST in Tokyo: Mon 09:00 JST is Sun 24:00 UTC
    [InlineData(Tokyo, "2026-10-23T06:00Z", "2026-10-26T00:00Z", "2026-10-26T04:00Z")]
    public void A_reminder_outside_the_recipients_working_hours_waits_for_their_next_working_moment(
        string recipient, string startedAt, string firstNudge, string secondNudge)
    {
        var world = new TestWorld(Zones, [Office]);
        world.Time.SetUtcNow(Utc(startedAt));
        var instance = world.Start("office", Alice);

        var timeline = RunUntil(world, instance.Id, Utc(startedAt).AddDays(5));

        var nudges = timeline.Where(t => t.Effect is RemindPerson && t.Effect.Recipient == recipient).Select(t => t.At).Take(2);
        Assert.Equal([Utc(firstNudge), Utc(secondNudge)], nudges);
        var hours = world.Stored(instance.Id).Definition.BusinessHours!;
        Assert.All(timeline.Where(t => t.Effect is RemindPerson), t =>
            Assert.True(hours.IsWithin(t.At, TimeText.ZoneOf(world.People.Find(t.Effect.Recipient))), $"{t.Effect.Recipient} nudged at {t.At:u}"));
    }

    [Fact]
    public void A_deadline_hands_the_step_to_escalate_to_visibly_and_the_new_owner_gets_a_card_with_a_fresh_deadline()
    {
        var world = new TestWorld(Chain);
        var instance = world.Start("chain", Mallory);
        world.Store.NewEffects();
        world.Time.SetUtcNow(Monday.AddDays(1));

        var result = world.Engine.Tick(instance.Id);

        Assert.Equal((TickOutcome.Processed, 1), (result.Outcome, result.Handoffs));
        var effects = world.Store.NewEffects();
        var old = Assert.Single(effects.OfType<UpdateCard>());
        Assert.Equal(Frank, old.Recipient);
        Assert.Equal(CardStatus.Closed, old.Card.Status);
        Assert.Equal("Moved to Alice Adams · Tue 3 Mar 08:00 UTC", old.Card.Outcome);
        var card = Assert.Single(effects.OfType<AskDecision>());
        Assert.Equal(Alice, card.Recipient);
        Assert.Equal(Monday.AddDays(2), card.Card.DueAt);
        Assert.Equal(CardStatus.Open, card.Card.Status);
        var told = effects.OfType<NotifyPerson>().ToDictionary(n => n.Recipient, n => n.Text);
        Assert.Equal("Sign the contract (chain-1) passed its deadline and moved to Alice Adams.", told[Frank]);
        Assert.Equal("chain-1 passed its deadline at sign: it moved from Frank Fox to Alice Adams.", told[Mallory]);

        var stored = world.Stored(instance.Id);
        var handoff = Assert.Single(stored.History, e => e.Kind == EventKind.Handoff);
        Assert.Equal((Monday.AddDays(1), "Handed from Frank Fox to Alice Adams: overdue since Tue 3 Mar 08:00 UTC"), (handoff.At, handoff.Text));
        Assert.Equal([Alice], stored.CurrentOwners());
        Assert.Equal(Monday.AddDays(2), stored.NextDueAt());
        Assert.Equal(Frank, stored.Current!.Assignments[^1].HandedFrom);
    }

    [Fact]
    public void The_escalation_chain_runs_from_escalate_to_to_the_manager_to_the_admins_and_then_tells_the_admins_nobody_is_left()
    {
        var world = new TestWorld(Chain);
        var instance = world.Start("chain", Mallory);

        var timeline = RunUntil(world, instance.Id, Monday.AddDays(30));

        Assert.Equal(
            [(Monday.AddDays(1), Alice), (Monday.AddDays(2), Bob), (Monday.AddDays(3), Erin)],
            timeline.Where(t => t.Effect is AskDecision).Select(t => (t.At, t.Effect.Recipient)));
        Assert.Equal(
            [(Monday.AddDays(1), Frank), (Monday.AddDays(2), Alice), (Monday.AddDays(3), Bob)],
            timeline.Where(t => t.Effect is UpdateCard u && u.Card.Outcome!.StartsWith("Moved to ", StringComparison.Ordinal)).Select(t => (t.At, t.Effect.Recipient)));
        var stored = world.Stored(instance.Id);
        Assert.Equal(
            [
                "Handed from Frank Fox to Alice Adams: overdue since Tue 3 Mar 08:00 UTC",
                "Handed from Alice Adams to Bob Brown: overdue since Wed 4 Mar 08:00 UTC",
                "Handed from Bob Brown to Erin Evans: overdue since Thu 5 Mar 08:00 UTC",
            ],
            stored.History.Where(e => e.Kind == EventKind.Handoff).Select(e => e.Text));

        var exception = timeline.Where(t => t.At == Monday.AddDays(4)).Select(t => (NotifyPerson)t.Effect).ToList();
        Assert.Equal(
            [
                (Erin, "⚠️ chain-1 is overdue at step sign and there is nobody left to escalate to from Erin Evans."),
                (Mallory, "⚠️ chain-1 is overdue and waiting on an admin."),
            ],
            exception.Select(n => (n.Recipient, n.Text)));
        Assert.Equal(Monday.AddDays(4), timeline[^1].At);
        Assert.True(stored.IsOpen);
        Assert.Equal([Erin], stored.CurrentOwners());
        Assert.Null(stored.NextDueAt());
    }

    [Fact]
    public void On_timeout_approve_approves_the_step_moves_on_and_tells_the_owner_and_the_requester()
    {
        var world = new TestWorld(OnTimeout("approve"));
        var instance = world.Start("lapse", Alice);
        world.Store.NewEffects();
        world.Time.SetUtcNow(Monday.AddDays(1));

        world.Engine.Tick(instance.Id);

        var effects = world.Store.NewEffects();
        var card = Assert.Single(effects.OfType<UpdateCard>());
        Assert.Equal((Bob, CardStatus.Approved, "Approved automatically: the deadline passed"), (card.Recipient, card.Card.Status, card.Card.Outcome));
        Assert.Contains(effects.OfType<NotifyPerson>(), n => n.Recipient == Grace && n.Text.StartsWith("Contract signed", StringComparison.Ordinal));
        var told = effects.OfType<NotifyPerson>().Single(n => n.Recipient == Alice).Text;
        Assert.Equal("lapse-1 (sign) was approved automatically: the deadline passed.\n✅ lapse-1 (Lapsing request) is approved.", told);
        var stored = world.Stored(instance.Id);
        Assert.Equal((InstanceState.Completed, StepState.Approved), (stored.State, stored.Steps[0].State));
        Assert.Contains(stored.History, e => e.Kind == EventKind.TimedOut);
    }

    [Fact]
    public void On_timeout_reject_rejects_the_request_and_tells_the_owner_and_the_requester()
    {
        var world = new TestWorld(OnTimeout("reject"));
        var instance = world.Start("lapse", Alice);
        world.Store.NewEffects();
        world.Time.SetUtcNow(Monday.AddDays(1));

        world.Engine.Tick(instance.Id);

        var effects = world.Store.NewEffects();
        var card = Assert.Single(effects.OfType<UpdateCard>());
        Assert.Equal((Bob, CardStatus.Rejected, "Rejected automatically: the deadline passed"), (card.Recipient, card.Card.Status, card.Card.Outcome));
        var told = Assert.Single(effects.OfType<NotifyPerson>());
        Assert.Equal((Alice, "❌ lapse-1 (Lapsing request) was rejected at sign: the deadline passed."), (told.Recipient, told.Text));
        var stored = world.Stored(instance.Id);
        Assert.Equal((InstanceState.Rejected, StepState.Rejected), (stored.State, stored.Steps[0].State));
        Assert.Equal(StepState.Pending, stored.Steps[1].State);
    }

    [Fact]
    public void On_timeout_cancel_cancels_the_request_and_tells_the_owner_and_the_requester()
    {
        var world = new TestWorld(OnTimeout("cancel"));
        var instance = world.Start("lapse", Alice);
        world.Store.NewEffects();
        world.Time.SetUtcNow(Monday.AddDays(1));

        world.Engine.Tick(instance.Id);

        var effects = world.Store.NewEffects();
        var card = Assert.Single(effects.OfType<UpdateCard>());
        Assert.Equal((Bob, CardStatus.Closed, "Cancelled: the deadline passed"), (card.Recipient, card.Card.Status, card.Card.Outcome));
        var told = Assert.Single(effects.OfType<NotifyPerson>());
        Assert.Equal((Alice, "lapse-1 was cancelled: step sign passed its deadline."), (told.Recipient, told.Text));
        var stored = world.Stored(instance.Id);
        Assert.Equal((InstanceState.Cancelled, StepState.Cancelled), (stored.State, stored.Steps[0].State));
        Assert.Null(stored.NextDueAt());
    }

    [Fact]
    public void On_timeout_notify_tells_the_owner_and_the_requester_once_and_keeps_waiting_for_the_answer()
    {
        var world = new TestWorld(OnTimeout("notify"));
        var instance = world.Start("lapse", Alice);
        world.Store.NewEffects();
        world.Time.SetUtcNow(Monday.AddDays(1));

        world.Engine.Tick(instance.Id);

        var told = world.Store.NewEffects().Cast<NotifyPerson>().ToDictionary(n => n.Recipient, n => n.Text);
        Assert.Equal([Bob, Alice], told.Keys);
        Assert.Equal("⚠️ Sign the contract (lapse-1) is overdue and still waits for you.", told[Bob]);
        Assert.Equal("⚠️ lapse-1 is overdue at sign, still waiting on Bob Brown.", told[Alice]);
        var stored = world.Stored(instance.Id);
        Assert.Equal((InstanceState.Open, StepState.Active), (stored.State, stored.Steps[0].State));
        Assert.Null(stored.NextDueAt());

        world.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(TickOutcome.NothingDue, world.Engine.Tick(instance.Id).Outcome);
        Assert.Empty(world.Store.NewEffects());
        Assert.True(world.Approve(instance.Id, Bob).Recorded);
        Assert.Equal(InstanceState.Completed, world.Stored(instance.Id).State);
    }

    [Fact]
    public void A_tick_run_twice_at_the_same_instant_sends_one_nudge()
    {
        var world = new TestWorld(OnRemind);
        var instance = world.Start("remind", Alice);
        world.Store.NewEffects();
        world.Time.SetUtcNow(Monday.AddHours(4));

        var first = world.Engine.Tick(instance.Id);
        var second = world.Engine.Tick(instance.Id);

        Assert.Equal((TickOutcome.Processed, 1), (first.Outcome, first.Nudges));
        Assert.Equal((TickOutcome.NothingDue, 0), (second.Outcome, second.Nudges));
        Assert.Single(world.Store.NewEffects().OfType<RemindPerson>());
        Assert.Single(world.Stored(instance.Id).History, e => e.Kind == EventKind.Nudged);
    }

    [Fact]
    public void Two_overlapping_ticks_send_one_nudge_in_total()
    {
        var world = new TestWorld(OnRemind);
        var instance = world.Start("remind", Alice);
        world.Store.NewEffects();
        world.Time.SetUtcNow(Monday.AddHours(4));
        TickResult? inner = null;
        world.Store.BeforeNextUpdate(() => inner = world.Engine.Tick(instance.Id));

        var outer = world.Engine.Tick(instance.Id);

        Assert.Equal(1, inner!.Nudges);
        Assert.Equal((TickOutcome.NothingDue, 0), (outer.Outcome, outer.Nudges));
        Assert.Equal(1, world.Store.RefusedWrites);
        Assert.Single(world.Store.NewEffects().OfType<RemindPerson>());
        Assert.Single(world.Stored(instance.Id).History, e => e.Kind == EventKind.Nudged);
    }

    [Fact]
    public void Two_overlapping_ticks_on_a_deadline_hand_the_step_over_once()
    {
        var world = new TestWorld(Chain);
        var instance = world.Start("chain", Mallory);
        world.Store.NewEffects();
        world.Time.SetUtcNow(Monday.AddDays(1));
        world.Store.BeforeNextUpdate(() => world.Engine.Tick(instance.Id));

        world.Engine.Tick(instance.Id);

        Assert.Equal([Alice], world.Store.NewEffects().OfType<AskDecision>().Select(a => a.Recipient));
        Assert.Single(world.Stored(instance.Id).History, e => e.Kind == EventKind.Handoff);
    }

    [Fact]
    public void A_deadline_on_a_step_nobody_could_be_assigned_is_acted_on_once_not_on_every_tick()
    {
        var world = new TestWorld("""
            id: orphan
            name: Orphan
            steps:
              - id: sign
                title: Sign the contract
                assignees: role:nobody
                due: 1d
                on_timeout: escalate
                escalate_to: role:nobody
            """);
        var instance = world.Start("orphan", Alice);
        world.Time.SetUtcNow(Monday.AddDays(1));

        Assert.Equal(TickOutcome.Processed, world.Engine.Tick(instance.Id).Outcome);
        Assert.Equal(TickOutcome.NothingDue, world.Engine.Tick(instance.Id).Outcome);

        var stored = world.Stored(instance.Id);
        Assert.Single(stored.History, e => e.Kind == EventKind.Overdue);
        Assert.Null(stored.NextDueAt());
    }

    private const string OnRemind = """
        id: remind
        name: Reminder
        steps:
          - id: sign
            title: Sign the contract
            assignees: person:bob@example.com
            remind: 4h
        """;

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>Jumps the clock to each moment the instance is due, ticks there, and returns what each tick committed, with its time.</summary>
    private static List<(DateTimeOffset At, Effect Effect)> RunUntil(TestWorld world, string instanceId, DateTimeOffset until)
    {
        var timeline = new List<(DateTimeOffset, Effect)>();
        world.Store.NewEffects();
        for (var ticks = 0; world.Stored(instanceId).NextDueAt() is { } due && due <= until; ticks++)
        {
            Assert.True(ticks < 1000, "the instance never stops being due");
            if (due > world.Time.GetUtcNow()) world.Time.SetUtcNow(due);
            var result = world.Engine.Tick(instanceId);
            Assert.Equal(TickOutcome.Processed, result.Outcome);
            Assert.True(result.NextDueAt is null || result.NextDueAt > world.Time.GetUtcNow(), $"still due at {result.NextDueAt} after a tick at {world.Time.GetUtcNow()}");
            timeline.AddRange(world.Store.NewEffects().Select(e => (world.Time.GetUtcNow(), e)));
        }
        return timeline;
    }
}
