using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

/// <summary>Clicks that must change nothing, and clicks that race other writers.</summary>
public sealed class WorkflowEngineRefusalTests
{
    private static (TestWorld World, string Id) PurchaseWaitingOnBob(string amount = "50")
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", amount), ("item", "Desk"));
        world.Store.NewEffects();
        return (world, instance.Id);
    }

    private static void AssertNothingChanged(TestWorld world, string id, int revision, int writes)
    {
        Assert.Equal(revision, world.Stored(id).Revision);
        Assert.Equal(writes, world.Store.Writes);
        Assert.Empty(world.Store.NewEffects());
    }

    [Theory]
    [InlineData(Mallory)]
    [InlineData(Erin)]
    [InlineData(Alice)]
    public void A_click_by_someone_who_is_not_the_assignee_changes_nothing(string clicker)
    {
        var (world, id) = PurchaseWaitingOnBob();
        var writes = world.Store.Writes;

        var result = world.Engine.Decide(id, world.CardOf(id, Bob), clicker, Verdict.Approve, null, "slack");

        Assert.Equal(DecideOutcome.NotAssignee, result.Outcome);
        Assert.Equal("This card is for Bob Brown; only they can answer it. Nothing was changed.", result.Message);
        AssertNothingChanged(world, id, revision: 1, writes);
        Assert.Null(world.Stored(id).Steps[0].Assignments[0].Decision);
    }

    [Fact]
    public void The_assignee_is_recognised_whatever_the_case_of_their_email()
    {
        var (world, id) = PurchaseWaitingOnBob();

        var result = world.Engine.Decide(id, world.CardOf(id, Bob), "Bob@Example.COM", Verdict.Approve, null, "teams");

        Assert.True(result.Recorded);
        var stored = world.Stored(id);
        Assert.Equal(Bob, stored.Steps[0].Assignments[0].Decision!.By);
        Assert.All(stored.History.Where(e => e.Actor is not null && e.Kind != EventKind.Started), e => Assert.Equal(Bob, e.Actor));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_reject_without_a_reason_is_refused_and_changes_nothing(string? reason)
    {
        var (world, id) = PurchaseWaitingOnBob();
        var writes = world.Store.Writes;

        var result = world.Reject(id, Bob, reason);

        Assert.Equal((DecideOutcome.ReasonRequired, "A reason is required to reject."), (result.Outcome, result.Message));
        AssertNothingChanged(world, id, revision: 1, writes);
        Assert.Equal(InstanceState.Open, world.Stored(id).State);
    }

    [Fact]
    public void Checking_a_reject_before_asking_for_the_reason_allows_the_assignee_only()
    {
        var (world, id) = PurchaseWaitingOnBob();
        var card = world.CardOf(id, Bob);

        Assert.Null(world.Engine.Check(id, card, Bob, Verdict.Reject));
        Assert.Equal(DecideOutcome.NotAssignee, world.Engine.Check(id, card, Mallory, Verdict.Reject)!.Outcome);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.Check("purchase-9", card, Bob, Verdict.Reject)!.Outcome);
        Assert.Equal(1, world.Stored(id).Revision);
    }

    [Theory]
    [InlineData(Verdict.Approve)]
    [InlineData(Verdict.Reject)]
    public void A_second_click_by_the_same_person_is_already_decided(Verdict second)
    {
        var (world, id) = PurchaseWaitingOnBob("1500");
        world.Time.Advance(TimeSpan.FromMinutes(5));
        world.Approve(id, Bob);
        world.Store.NewEffects();
        var writes = world.Store.Writes;
        world.Time.Advance(TimeSpan.FromMinutes(1));

        var result = world.Engine.Decide(id, world.CardOf(id, Bob), Bob, second, "changed my mind", "slack");

        Assert.Equal(DecideOutcome.AlreadyDecided, result.Outcome);
        Assert.Equal("Already decided: you approved this at Mon 2 Mar 08:05 UTC.", result.Message);
        AssertNothingChanged(world, id, revision: 2, writes);
    }

    [Fact]
    public void A_click_on_a_step_someone_else_already_decided_says_who()
    {
        var (world, id) = PurchaseWaitingOnBob("1500");
        world.Approve(id, Bob);
        world.Approve(id, Dave);
        world.Store.NewEffects();
        var writes = world.Store.Writes;

        var result = world.Reject(id, Carol, "too late");

        Assert.Equal(DecideOutcome.AlreadyDecided, result.Outcome);
        Assert.Equal("Already decided: approved by Dave Doe.", result.Message);
        AssertNothingChanged(world, id, revision: 3, writes);
    }

    [Fact]
    public void A_click_on_a_cancelled_request_is_refused()
    {
        var (world, id) = PurchaseWaitingOnBob();
        world.Engine.Cancel(id, Alice, null, "slack");
        world.Store.NewEffects();
        var writes = world.Store.Writes;

        var result = world.Approve(id, Bob);

        Assert.Equal((DecideOutcome.Closed, "purchase-1 is already cancelled."), (result.Outcome, result.Message));
        AssertNothingChanged(world, id, revision: 2, writes);
    }

    [Fact]
    public void A_click_on_a_request_another_approver_rejected_says_who_rejected_it()
    {
        var world = new TestWorld(Workflows.Access);
        var id = world.Start("access", Alice, ("system", "aws")).Id;
        world.Reject(id, Carol, "no");

        var result = world.Approve(id, Dave);

        Assert.Equal((DecideOutcome.AlreadyDecided, "Already decided: rejected by Carol Clark: no."), (result.Outcome, result.Message));
        Assert.Null(world.Stored(id).Steps[0].Assignments.Single(a => a.Assignee == Dave).Decision);
    }

    [Fact]
    public void Unknown_requests_and_cards_are_not_found()
    {
        var (world, id) = PurchaseWaitingOnBob();

        var noRequest = world.Engine.Decide("purchase-9", "manager.1", Bob, Verdict.Approve, null, "slack");
        var noCard = world.Engine.Decide(id, "finance.7", Bob, Verdict.Approve, null, "slack");

        Assert.Equal((DecideOutcome.NotFound, "There is no request purchase-9."), (noRequest.Outcome, noRequest.Message));
        Assert.Equal((DecideOutcome.NotFound, "That card no longer belongs to purchase-1."), (noCard.Outcome, noCard.Message));
    }

    [Fact]
    public void A_decision_that_loses_a_race_is_retried_on_fresh_state_and_recorded_once()
    {
        var world = new TestWorld(Workflows.Access);
        var id = world.Start("access", Alice, ("system", "aws")).Id;
        world.Store.NewEffects();
        world.Store.BeforeNextUpdate(() => Assert.True(world.Approve(id, Dave).Recorded));

        var result = world.Approve(id, Carol);

        Assert.True(result.Recorded);
        Assert.Equal(1, world.Store.RefusedWrites);
        var stored = world.Stored(id);
        Assert.Equal(3, stored.Revision);
        Assert.Equal(StepState.Approved, stored.Steps[0].State);
        Assert.Single(stored.History, e => e.Kind == EventKind.Decided && e.Actor == Carol);
        Assert.Single(stored.History, e => e.Kind == EventKind.StepApproved);
        var effects = world.Store.NewEffects();
        Assert.Single(effects, e => e is UpdateCard { Recipient: Carol, Card.Status: CardStatus.Approved });
        Assert.Single(effects, e => e is UpdateCard { Recipient: Dave, Card.Status: CardStatus.Approved });
        Assert.Single(effects, e => e is AskDecision { Recipient: Grace });
    }

    [Fact]
    public void A_double_click_racing_itself_is_recorded_once()
    {
        var (world, id) = PurchaseWaitingOnBob();
        world.Store.BeforeNextUpdate(() => Assert.True(world.Approve(id, Bob).Recorded));

        var result = world.Approve(id, Bob);

        Assert.Equal(DecideOutcome.AlreadyDecided, result.Outcome);
        var stored = world.Stored(id);
        Assert.Equal(2, stored.Revision);
        Assert.Single(stored.History, e => e.Kind == EventKind.Decided);
        var effects = world.Store.NewEffects();
        Assert.Single(effects, e => e is UpdateCard);
        Assert.Single(effects, e => e is NotifyPerson n && n.Text.Contains("is approved"));
    }

    [Fact]
    public void A_decision_that_races_a_cancel_finds_the_request_closed()
    {
        var (world, id) = PurchaseWaitingOnBob();
        world.Store.BeforeNextUpdate(() => Assert.True(world.Engine.Cancel(id, Alice, "never mind", "slack").Recorded));

        var result = world.Approve(id, Bob);

        Assert.Equal(DecideOutcome.Closed, result.Outcome);
        var stored = world.Stored(id);
        Assert.Equal(InstanceState.Cancelled, stored.State);
        Assert.Null(stored.Steps[0].Assignments[0].Decision);
        Assert.DoesNotContain(world.Store.Effects, e => e is NotifyPerson n && n.Text.Contains("approved"));
    }

    [Fact]
    public void A_decision_that_keeps_losing_races_gives_up_without_recording()
    {
        var (world, id) = PurchaseWaitingOnBob();
        void Interfere()
        {
            var other = world.Stored(id);
            var revision = other.Revision;
            other.Revision = revision + 1;
            Assert.True(world.Store.TryUpdate(other, revision, []));
            world.Store.BeforeNextUpdate(Interfere);
        }
        world.Store.BeforeNextUpdate(Interfere);

        Assert.Throws<InvalidOperationException>(() => world.Approve(id, Bob));

        Assert.Null(world.Stored(id).Steps[0].Assignments[0].Decision);
        Assert.Empty(world.Store.NewEffects());
    }
}
