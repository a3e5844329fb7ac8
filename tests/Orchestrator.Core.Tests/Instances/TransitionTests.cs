using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.Simulation;
using Orchestrator.Core.Tests.Engine;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Instances;

/// <summary>The instance and its parts refuse the moves their state does not allow, whatever the engine checked before.</summary>
public sealed class TransitionTests
{
    private static readonly DateTimeOffset At = Monday;

    private static (TestWorld World, WorkflowInstance Instance) PurchaseWaitingOnBob()
    {
        var world = new TestWorld(Workflows.Purchase);
        var id = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk")).Id;
        return (world, world.Stored(id));
    }

    private static StepRun Step(StepState state)
    {
        var run = new StepRun { StepId = "manager" };
        switch (state)
        {
            case StepState.Pending: break;
            case StepState.Active: run.Activate(At, null); break;
            case StepState.Skipped: run.Skip("skipped: amount > 1000 is false"); break;
            case StepState.Notified: run.Notified(At); break;
            case StepState.Returned: run.Activate(At, null); run.ReturnToRequester("rejected by Bob Brown"); break;
            case StepState.Cancelled: run.Activate(At, null); run.Cancel(At); break;
            default: run.Activate(At, null); run.Decide(state, At, "decided by Bob Brown"); break;
        }
        Assert.Equal(state, run.State);
        return run;
    }

    private static Assignment Card() => new() { Id = "manager.1", Assignee = Bob, AssignedAt = At };

    [Theory]
    [InlineData("complete")]
    [InlineData("reject")]
    [InlineData("cancel")]
    public void A_closed_instance_cannot_be_closed_again(string how)
    {
        var (_, instance) = PurchaseWaitingOnBob();
        instance.Cancel(At);

        var refused = Assert.Throws<InvalidTransitionException>(() =>
        {
            switch (how)
            {
                case "complete": instance.Complete(At.AddHours(1)); break;
                case "reject": instance.Reject(At.AddHours(1)); break;
                default: instance.Cancel(At.AddHours(1)); break;
            }
        });

        Assert.True(refused.Closed);
        Assert.Equal("purchase-1 is already cancelled.", refused.Message);
        Assert.Equal((InstanceState.Cancelled, At), (instance.State, instance.ClosedAt));
    }

    [Fact]
    public void A_closed_instance_cannot_move_on_to_another_step()
    {
        var (_, instance) = PurchaseWaitingOnBob();
        instance.Reject(At);

        Assert.True(Assert.Throws<InvalidTransitionException>(() => instance.MoveTo(1)).Closed);
        Assert.Equal(0, instance.CurrentStep);
    }

    [Fact]
    public void An_instance_cannot_move_to_a_step_it_does_not_have()
    {
        var (_, instance) = PurchaseWaitingOnBob();

        var refused = Assert.Throws<InvalidTransitionException>(() => instance.MoveTo(3));

        Assert.False(refused.Closed);
        Assert.Equal(0, instance.CurrentStep);
    }

    [Fact]
    public void An_assignment_decided_once_cannot_be_decided_again()
    {
        var card = Card();
        card.Decide(new Decision(Verdict.Approve, Bob, At, null, "slack"));

        var refused = Assert.Throws<InvalidTransitionException>(() => card.Decide(new Decision(Verdict.Reject, Bob, At.AddMinutes(1), "no", "teams")));

        Assert.Equal("Already decided: this card was approved at 2026-03-02 08:00 UTC, so it cannot be decided again.", refused.Message);
        Assert.Equal(Verdict.Approve, card.Decision!.Verdict);
    }

    [Fact]
    public void An_assignment_closed_without_its_holder_cannot_be_decided()
    {
        var card = Card();
        card.Close("Decided by Carol Clark: approved");

        var refused = Assert.Throws<InvalidTransitionException>(() => card.Decide(new Decision(Verdict.Approve, Bob, At, null, "slack")));

        Assert.Equal("Already decided: Decided by Carol Clark: approved.", refused.Message);
        Assert.Null(card.Decision);
    }

    [Fact]
    public void A_decided_assignment_cannot_be_closed()
    {
        var card = Card();
        card.Decide(new Decision(Verdict.Done, Bob, At, null, "slack"));

        Assert.Throws<InvalidTransitionException>(() => card.Close("Cancelled by Alice Adams"));
        Assert.Null(card.ClosedReason);
    }

    [Theory]
    [InlineData(StepState.Active)]
    [InlineData(StepState.Approved)]
    [InlineData(StepState.Rejected)]
    [InlineData(StepState.Done)]
    [InlineData(StepState.Skipped)]
    [InlineData(StepState.Notified)]
    [InlineData(StepState.Cancelled)]
    [InlineData(StepState.Returned)]
    public void A_step_that_has_started_cannot_be_activated_again(StepState state)
    {
        var run = Step(state);

        var refused = Assert.Throws<InvalidTransitionException>(() => run.Activate(At.AddDays(1), null));

        Assert.Contains("cannot be activated", refused.Message);
        Assert.Equal(state, run.State);
    }

    [Theory]
    [InlineData(StepState.Pending)]
    [InlineData(StepState.Approved)]
    [InlineData(StepState.Rejected)]
    [InlineData(StepState.Done)]
    [InlineData(StepState.Cancelled)]
    [InlineData(StepState.Returned)]
    public void Only_a_running_step_can_be_decided(StepState state)
    {
        var run = Step(state);

        Assert.Throws<InvalidTransitionException>(() => run.Decide(StepState.Approved, At.AddDays(1), "approved by Bob Brown"));
        Assert.Equal(state, run.State);
    }

    [Fact]
    public void A_decided_step_reads_why_when_it_refuses()
    {
        var run = Step(StepState.Approved);

        var refused = Assert.Throws<InvalidTransitionException>(() => run.Decide(StepState.Rejected, At, "rejected by Carol Clark"));

        Assert.Equal("Step manager is already approved (decided by Bob Brown), so it cannot be decided.", refused.Message);
    }

    [Fact]
    public void A_step_is_decided_only_as_approved_rejected_or_done()
    {
        var run = Step(StepState.Active);

        Assert.Throws<ArgumentOutOfRangeException>(() => run.Decide(StepState.Skipped, At, "skipped"));
        Assert.Equal(StepState.Active, run.State);
    }

    [Theory]
    [InlineData(StepState.Pending)]
    [InlineData(StepState.Approved)]
    [InlineData(StepState.Cancelled)]
    [InlineData(StepState.Skipped)]
    public void Only_a_step_with_the_approvers_or_back_with_the_requester_can_be_cancelled(StepState state)
    {
        var run = Step(state);

        Assert.Throws<InvalidTransitionException>(() => run.Cancel(At.AddDays(1)));
        Assert.Equal(state, run.State);
    }

    [Theory]
    [InlineData(StepState.Pending)]
    [InlineData(StepState.Returned)]
    [InlineData(StepState.Rejected)]
    public void Only_a_running_step_can_be_sent_back_to_the_requester(StepState state)
    {
        var run = Step(state);

        Assert.Throws<InvalidTransitionException>(() => run.ReturnToRequester("rejected again"));
        Assert.Equal(state, run.State);
    }

    [Theory]
    [InlineData(StepState.Pending)]
    [InlineData(StepState.Active)]
    [InlineData(StepState.Rejected)]
    [InlineData(StepState.Cancelled)]
    public void Only_a_step_sent_back_to_the_requester_can_be_resubmitted(StepState state)
    {
        var run = Step(state);

        Assert.Throws<InvalidTransitionException>(() => run.Reopen([]));
        Assert.Equal(state, run.State);
    }

    [Theory]
    [InlineData("deadline")]
    [InlineData("escalate")]
    [InlineData("overdue")]
    [InlineData("reassign")]
    public void The_clocks_of_a_finished_step_cannot_be_moved(string how)
    {
        var run = Step(StepState.Done);

        Assert.Throws<InvalidTransitionException>(() =>
        {
            switch (how)
            {
                case "deadline": run.MoveDeadline(At.AddDays(2)); break;
                case "escalate": run.Escalated(At.AddDays(2)); break;
                case "overdue": run.DeadlineHandled("nobody left"); break;
                default: run.HandedOver(At.AddDays(2)); break;
            }
        });
        Assert.Equal((null, 0, false, null), (run.DueAt, run.Escalations, run.OverdueHandled, run.WaitingOnAdmin));
    }

    private static InfoRequest Question() => new() { Id = "manager.q1", AssignmentId = "manager.1", AskedBy = Bob, AskedAt = At, Question = "Which desk?" };

    [Fact]
    public void A_question_answered_once_cannot_be_answered_again()
    {
        var question = Question();
        question.Answered("The tall one", At.AddHours(1), "slack");

        var refused = Assert.Throws<InvalidTransitionException>(() => question.Answered("The short one", At.AddHours(2), "teams"));

        Assert.Equal("Already answered at 2026-03-02 09:00 UTC.", refused.Message);
        Assert.Equal("The tall one", question.Answer);
    }

    [Fact]
    public void A_closed_question_cannot_be_answered()
    {
        var question = Question();
        question.Close("approved by Carol Clark");

        var refused = Assert.Throws<InvalidTransitionException>(() => question.Answered("The tall one", At.AddHours(1), "slack"));

        Assert.Equal("This question is no longer open: approved by Carol Clark.", refused.Message);
        Assert.Null(question.Answer);
    }

    private static StepReturn Return() => new() { Id = "manager.r1", At = At, RejectedBy = Bob, Reason = "too expensive" };

    [Fact]
    public void A_rejection_resubmitted_once_cannot_be_resubmitted_again()
    {
        var back = Return();
        back.Resubmitted(At.AddHours(1));

        Assert.Throws<InvalidTransitionException>(() => back.Resubmitted(At.AddHours(2)));
        Assert.Equal(At.AddHours(1), back.ResubmittedAt);
    }

    [Fact]
    public void A_withdrawn_rejection_cannot_be_resubmitted()
    {
        var back = Return();
        back.Close("withdrawn after the rejection");

        var refused = Assert.Throws<InvalidTransitionException>(() => back.Resubmitted(At.AddHours(1)));

        Assert.Equal("This request no longer waits for a resubmission: withdrawn after the rejection.", refused.Message);
        Assert.Null(back.ResubmittedAt);
    }

    [Fact]
    public void A_move_the_instance_refuses_is_answered_through_the_commit_path_and_nothing_is_saved()
    {
        // A stored request whose step says skipped while the request is open: the engine's checks pass, the step refuses.
        var (world, started) = PurchaseWaitingOnBob();
        var json = JsonNode.Parse(JsonSerializer.Serialize(started, MemoryInstanceStore.Json))!;
        json["steps"]![0]!["state"] = "skipped";
        var odd = json.Deserialize<WorkflowInstance>(MemoryInstanceStore.Json)!;
        var store = new InMemoryInstanceStore();
        store.Insert(odd, []);
        var engine = new WorkflowEngine(world.Catalog, store, world.Time);

        var result = engine.Cancel(odd.Id, Alice, "never mind", "slack");

        Assert.Equal((DecideOutcome.AlreadyDecided, "Step manager is already skipped, so it cannot be cancelled."), (result.Outcome, result.Message));
        var stored = store.Get(odd.Id)!;
        Assert.Equal((InstanceState.Open, odd.Revision), (stored.State, stored.Revision));
        Assert.DoesNotContain(stored.History, e => e.Kind == EventKind.Cancelled);
        Assert.Empty(store.NewEffects());
    }

    [Fact]
    public void Guarded_state_survives_the_store()
    {
        var (world, instance) = PurchaseWaitingOnBob();
        Assert.True(world.Engine.Cancel(instance.Id, Alice, "ordered elsewhere", "slack").Recorded);

        var stored = world.Stored(instance.Id);

        Assert.Equal((InstanceState.Cancelled, StepState.Cancelled), (stored.State, stored.Steps[0].State));
        Assert.Equal("Cancelled by Alice Adams: ordered elsewhere", stored.Steps[0].Assignments[0].ClosedReason);
        Assert.Throws<InvalidTransitionException>(() => stored.Steps[0].Assignments[0].Decide(new Decision(Verdict.Approve, Bob, At, null, "slack")));
    }
}
