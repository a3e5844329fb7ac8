using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

public sealed class WorkflowEngineDelegationTests
{
    private static DateOnly Day(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd");

    [Fact]
    public void While_Bob_is_away_his_new_card_goes_to_his_delegate_on_his_behalf_and_the_handoff_is_recorded()
    {
        var world = new TestWorld(Workflows.Purchase);
        Assert.True(world.Engine.Delegate(Bob, "Frank@Example.com", Day("2026-03-06"), "slack").Changed);

        var instance = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));

        var ask = Assert.Single(world.Store.NewEffects().OfType<AskDecision>());
        Assert.Equal(Frank, ask.Recipient);
        Assert.Equal("Bob Brown", ask.Card.OnBehalfOf);
        var card = world.Stored(instance.Id).Steps[0].Assignments.Single();
        Assert.Equal((Frank, Bob, Bob), (card.Assignee, card.OnBehalfOf, card.HandedFrom));
        var handoff = world.Stored(instance.Id).History.Single(e => e.Kind == EventKind.Handoff);
        Assert.Equal((Bob, "manager", "Handed from Bob Brown to Frank Fox: Bob Brown delegated to Frank Fox until 2026-03-06"), (handoff.Actor, handoff.StepId, handoff.Text));
        Assert.Equal([Frank], world.Stored(instance.Id).CurrentOwners());
    }

    [Fact]
    public void The_delegate_answers_the_card_and_the_request_moves_on()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Engine.Delegate(Bob, Frank, null, "slack");
        var instance = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));

        var result = world.Approve(instance.Id, Frank);

        Assert.True(result.Recorded);
        Assert.Equal(InstanceState.Completed, world.Stored(instance.Id).State);
    }

    [Fact]
    public void Cards_already_out_move_to_the_delegate_at_once_and_the_requester_is_told()
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));
        var oldCard = world.CardOf(instance.Id, Bob);
        world.Store.NewEffects();
        world.Time.Advance(TimeSpan.FromHours(2));

        var result = world.Engine.Delegate(Bob, Frank, null, "teams");

        Assert.True(result.Changed);
        Assert.Equal(
            "Until you turn it off with delegate off, your new assignments go to Frank Fox, on your behalf.\nMoved what waited for you to Frank Fox: purchase-1.",
            result.Message);
        var effects = world.Store.NewEffects();
        var closed = Assert.Single(effects.OfType<UpdateCard>());
        Assert.Equal((Bob, oldCard, CardStatus.Closed, "Moved to Frank Fox (delegated) · Mon 2 Mar 10:00 UTC"),
            (closed.Recipient, closed.Card.AssignmentId, closed.Card.Status, closed.Card.Outcome));
        var ask = Assert.Single(effects.OfType<AskDecision>());
        Assert.Equal((Frank, "Bob Brown", CardStatus.Open), (ask.Recipient, ask.Card.OnBehalfOf, ask.Card.Status));
        var told = Assert.Single(effects.OfType<NotifyPerson>());
        Assert.Equal((Alice, "purchase-1 (manager) moved from Bob Brown to Frank Fox: Bob Brown is away and delegated to them."), (told.Recipient, told.Text));

        // The old card is closed: Bob's click there changes nothing.
        var late = world.Engine.Decide(instance.Id, oldCard, Bob, Verdict.Approve, null, "slack");
        Assert.False(late.Recorded);
        Assert.Equal(InstanceState.Open, world.Stored(instance.Id).State);
    }

    [Fact]
    public void A_chain_is_followed_to_whoever_is_not_away()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Engine.Delegate(Frank, Mallory, null, "slack");

        var result = world.Engine.Delegate(Bob, Frank, null, "slack");
        var instance = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));

        Assert.Contains("Frank Fox is away too, so they reach Mallory Moss.", result.Message);
        var ask = Assert.Single(world.Store.NewEffects().OfType<AskDecision>());
        Assert.Equal((Mallory, "Bob Brown"), (ask.Recipient, ask.Card.OnBehalfOf));
        Assert.Contains("Bob Brown delegated to Frank Fox, Frank Fox delegated to Mallory Moss", world.Stored(instance.Id).History.Single(e => e.Kind == EventKind.Handoff).Text);
    }

    [Theory]
    [InlineData(new[] { "bob@example.com>alice@example.com" }, "Bob Brown already hands their work on to you (Bob Brown → Alice Adams), so that would be a loop. Nothing was changed.")]
    [InlineData(new[] { "bob@example.com>frank@example.com", "frank@example.com>alice@example.com" },
        "Bob Brown already hands their work on to you (Bob Brown → Frank Fox → Alice Adams), so that would be a loop. Nothing was changed.")]
    public void A_delegation_that_would_close_a_loop_is_refused(string[] existing, string message)
    {
        var world = new TestWorld(Workflows.Purchase);
        foreach (var pair in existing)
        {
            var parts = pair.Split('>');
            Assert.True(world.Engine.Delegate(parts[0], parts[1], null, "slack").Changed);
        }
        var before = world.Delegations.All();

        var result = world.Engine.Delegate(Alice, Bob, null, "slack");

        Assert.Equal((false, message), (result.Changed, result.Message));
        Assert.Equal(before, world.Delegations.All());
    }

    [Theory]
    [InlineData("nobody@example.com", null, "I don't know nobody@example.com. Delegate to someone in the directory, written as their email or a mention. Nothing was changed.")]
    [InlineData("<@U999>", null, "I don't know <@U999>. Delegate to someone in the directory, written as their email or a mention. Nothing was changed.")]
    [InlineData("bob@example.com", null, "You can't delegate to yourself. Nothing was changed.")]
    [InlineData("frank@example.com", "2026-03-01", "2026-03-01 is in the past (today is 2026-03-02 where you are). Nothing was changed.")]
    public void Bad_delegations_are_refused_and_change_nothing(string target, string? until, string message)
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));
        world.Store.NewEffects();

        var result = world.Engine.Delegate(Bob, target, until is null ? null : Day(until), "slack");

        Assert.Equal((false, message), (result.Changed, result.Message));
        Assert.Empty(world.Delegations.All());
        Assert.Empty(world.Store.NewEffects());
        Assert.Equal([Bob], world.Stored(instance.Id).CurrentOwners());
    }

    [Theory]
    [InlineData("2026-03-02T22:59:00Z", true)] // 23:59 in Berlin on the last day
    [InlineData("2026-03-02T23:00:00Z", false)] // midnight in Berlin: over
    [InlineData("2026-03-03T08:00:00Z", false)]
    public void A_delegation_runs_until_the_end_of_its_date_in_the_delegators_zone(string at, bool active)
    {
        var world = new TestWorld(Workflows.Access);
        var grant = """
            id: grant
            name: Grant
            steps:
              - id: do
                kind: task
                title: Do it
                assignees: person:erin@example.com
            """;
        world.Load(Workflows.Access, grant);
        Assert.True(world.Engine.Delegate(Erin, Frank, Day("2026-03-02"), "slack").Changed);

        world.Time.SetUtcNow(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));
        world.Start("grant", Alice);

        Assert.Equal(active ? Frank : Erin, Assert.Single(world.Store.NewEffects().OfType<AskDecision>()).Recipient);
    }

    [Fact]
    public void Today_is_a_valid_last_day()
    {
        var world = new TestWorld(Workflows.Purchase);

        var result = world.Engine.Delegate(Bob, Frank, Day("2026-03-02"), "slack");

        Assert.True(result.Changed);
        Assert.StartsWith("Until the end of Mon 2 Mar 2026 (UTC), your new assignments go to Frank Fox", result.Message);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero), Assert.Single(world.Delegations.All()).Ends);
    }

    [Fact]
    public void Delegate_off_brings_new_work_back_and_says_so()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Engine.Delegate(Bob, Frank, null, "slack");

        var off = world.Engine.EndDelegation(Bob);
        world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));

        Assert.True(off.Changed);
        Assert.StartsWith("Your delegation to Frank Fox ended: new assignments come to you again.", off.Message);
        Assert.Equal(Bob, Assert.Single(world.Store.NewEffects().OfType<AskDecision>()).Recipient);
        Assert.Empty(world.Delegations.All());
    }

    [Fact]
    public void Delegate_off_with_nothing_running_is_refused()
    {
        var world = new TestWorld(Workflows.Purchase);

        var off = world.Engine.EndDelegation(Bob);

        Assert.Equal((false, "You have no delegation running, so there is nothing to turn off."), (off.Changed, off.Message));
    }

    [Fact]
    public void A_new_delegation_replaces_the_previous_one()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Engine.Delegate(Bob, Frank, null, "slack");

        var result = world.Engine.Delegate(Bob, Mallory, null, "slack");

        Assert.Contains("This replaces your delegation to Frank Fox.", result.Message);
        Assert.Equal(Mallory, Assert.Single(world.Delegations.All()).To);
    }

    [Fact]
    public void Work_is_never_delegated_to_its_own_requester()
    {
        var world = new TestWorld(Workflows.Purchase);
        var early = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));
        world.Store.NewEffects();

        var result = world.Engine.Delegate(Bob, Alice, null, "slack");
        var later = world.Start("purchase", Alice, ("amount", "60"), ("item", "Lamp"));

        Assert.Contains("Kept with you, because Alice Adams asked for it: purchase-1.", result.Message);
        Assert.Equal([Bob], world.Stored(early.Id).CurrentOwners());
        Assert.Equal([Bob], world.Stored(later.Id).CurrentOwners());
        // Nor may Alice answer Bob's card as his delegate.
        var refused = world.Engine.Decide(later.Id, world.CardOf(later.Id, Bob), Alice, Verdict.Approve, null, "slack");
        Assert.Equal(DecideOutcome.NotAssignee, refused.Outcome);
    }

    [Fact]
    public void The_active_delegate_may_answer_a_card_the_assignee_still_holds()
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));
        // Made behind the engine's back, so the card stayed with Bob.
        world.Delegations.Save(new Orchestrator.Core.People.Delegation { From = Bob, To = Frank, Since = Monday });

        var result = world.Engine.Decide(instance.Id, world.CardOf(instance.Id, Bob), Frank, Verdict.Approve, null, "slack");

        Assert.True(result.Recorded);
        Assert.Contains(world.Stored(instance.Id).History, e => e.Kind == EventKind.Decided && e.Actor == Frank);
    }

    [Fact]
    public void An_escalation_to_someone_away_reaches_their_delegate()
    {
        var world = new TestWorld(Workflows.Purchase.Replace("    due: 1d", "    due: 1d\n    on_timeout: escalate\n    escalate_to: person:carol@example.com"));
        world.Engine.Delegate(Carol, Dave, null, "slack");
        var instance = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));
        world.Store.NewEffects();

        world.Time.Advance(TimeSpan.FromDays(1));
        world.Engine.Tick(instance.Id);

        var ask = Assert.Single(world.Store.NewEffects().OfType<AskDecision>());
        Assert.Equal((Dave, "Carol Clark"), (ask.Recipient, ask.Card.OnBehalfOf));
    }
}
