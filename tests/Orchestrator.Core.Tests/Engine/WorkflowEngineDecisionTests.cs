using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

public sealed class WorkflowEngineDecisionTests
{
    [Fact]
    public void An_approval_closes_the_card_runs_the_notify_step_and_tells_the_requester_it_is_approved()
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", "200"), ("item", "Chair"));
        world.Store.NewEffects();
        world.Time.Advance(TimeSpan.FromHours(2));

        var result = world.Approve(instance.Id, Bob, "fine");

        Assert.Equal(DecideOutcome.Recorded, result.Outcome);
        Assert.Equal("You approved purchase-1.", result.Message);
        var effects = world.Store.NewEffects();
        Assert.Equal(3, effects.Count);
        var card = Assert.IsType<UpdateCard>(effects[0]);
        Assert.Equal(Bob, card.Recipient);
        Assert.Equal(CardStatus.Approved, card.Card.Status);
        Assert.Equal("Approved by Bob Brown · Mon 2 Mar 10:00 UTC", card.Card.Outcome);
        Assert.Equal("fine", card.Card.Reason);
        var it = Assert.IsType<NotifyPerson>(effects[1]);
        Assert.Equal((Grace, "Order Chair (purchase-1, Purchase request)"), (it.Recipient, it.Text));
        var requester = Assert.IsType<NotifyPerson>(effects[2]);
        Assert.Equal(Alice, requester.Recipient);
        Assert.Equal("Bob Brown approved purchase-1 (manager).\n✅ purchase-1 (Purchase request) is approved.", requester.Text);

        var stored = world.Stored(instance.Id);
        Assert.Equal(InstanceState.Completed, stored.State);
        Assert.Equal(Monday.AddHours(2), stored.ClosedAt);
        Assert.Equal(2, stored.Revision);
        var decision = stored.Steps[0].Assignments.Single().Decision!;
        Assert.Equal(new Decision(Verdict.Approve, Bob, Monday.AddHours(2), "fine", "slack"), decision);
        Assert.Equal(
            [EventKind.Started, EventKind.StepActivated, EventKind.Decided, EventKind.StepApproved, EventKind.StepSkipped, EventKind.Notified, EventKind.Completed],
            stored.History.Select(e => e.Kind));
    }

    [Fact]
    public void Moving_on_to_the_next_step_tells_the_requester_who_has_it_now()
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", "1500"), ("item", "Desk"));
        world.Store.NewEffects();

        world.Approve(instance.Id, Bob);

        var effects = world.Store.NewEffects();
        Assert.Equal([Carol, Dave], effects.OfType<AskDecision>().Select(a => a.Recipient));
        Assert.All(effects.OfType<AskDecision>(), a => Assert.Equal("Finance check: Desk", a.Card.Title));
        var told = Assert.IsType<NotifyPerson>(effects[^1]);
        Assert.Equal(Alice, told.Recipient);
        Assert.Equal("Bob Brown approved purchase-1 (manager).\npurchase-1 is now waiting on Carol Clark, Dave Doe (finance).", told.Text);
    }

    [Fact]
    public void In_mode_any_the_first_answer_decides_and_the_other_cards_say_who_decided()
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", "1500"), ("item", "Desk"));
        world.Approve(instance.Id, Bob);
        world.Store.NewEffects();

        world.Approve(instance.Id, Dave);

        var cards = world.Store.NewEffects().OfType<UpdateCard>().ToList();
        Assert.Equal([Dave, Carol], cards.Select(c => c.Recipient));
        Assert.Equal(CardStatus.Approved, cards[0].Card.Status);
        Assert.NotEqual(CardStatus.Open, cards[1].Card.Status);
        Assert.Equal("Decided by Dave Doe: approved", cards[1].Card.Outcome);
        var finance = world.Stored(instance.Id).Steps[1];
        Assert.Equal(StepState.Approved, finance.State);
        Assert.Equal("Decided by Dave Doe: approved", finance.Assignments.Single(a => a.Assignee == Carol).ClosedReason);
        Assert.Equal(InstanceState.Completed, world.Stored(instance.Id).State);
    }

    [Fact]
    public void In_mode_any_one_reject_ends_the_request_with_the_reason()
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", "1500"), ("item", "Desk"));
        world.Approve(instance.Id, Bob);
        world.Store.NewEffects();

        var result = world.Reject(instance.Id, Carol, "  over budget  ");

        Assert.Equal("You rejected purchase-1.", result.Message);
        var effects = world.Store.NewEffects();
        var dave = effects.OfType<UpdateCard>().Single(c => c.Recipient == Dave).Card;
        Assert.Equal(CardStatus.Rejected, dave.Status);
        Assert.Equal("Rejected: rejected by Carol Clark: over budget", dave.Outcome);
        var told = effects.OfType<NotifyPerson>().Single();
        Assert.Equal(Alice, told.Recipient);
        Assert.Equal("❌ purchase-1 (Purchase request) was rejected at finance: rejected by Carol Clark: over budget.", told.Text);
        var stored = world.Stored(instance.Id);
        Assert.Equal(InstanceState.Rejected, stored.State);
        Assert.Equal("over budget", stored.Steps[1].Assignments[0].Decision!.Comment);
        Assert.Equal("teams", stored.Steps[1].Assignments[0].Decision!.Via);
        Assert.Equal(StepState.Pending, stored.Steps[2].State);
        Assert.DoesNotContain(effects, e => e.Recipient == Grace);
    }

    [Fact]
    public void In_mode_all_one_approval_shows_progress_on_every_open_card()
    {
        var world = new TestWorld(Workflows.Access);
        var instance = world.Start("access", Alice, ("system", "github"));
        world.Store.NewEffects();

        world.Approve(instance.Id, Carol);

        var effects = world.Store.NewEffects();
        var cards = effects.OfType<UpdateCard>().ToList();
        Assert.Equal([(Carol, CardStatus.Approved), (Dave, CardStatus.Open)], cards.Select(c => (c.Recipient, c.Card.Status)));
        Assert.All(cards, c => Assert.Equal("1 of 2 approvals", c.Card.Progress));
        Assert.Equal("Carol Clark approved access-1 (security); 1 of 2 approvals.", effects.OfType<NotifyPerson>().Single(n => n.Recipient == Alice).Text);
        Assert.Equal(StepState.Active, world.Stored(instance.Id).Current!.State);
        Assert.Equal([Dave], world.Stored(instance.Id).CurrentOwners());
    }

    [Fact]
    public void In_mode_all_every_approval_passes_the_step_to_the_task()
    {
        var world = new TestWorld(Workflows.Access);
        var instance = world.Start("access", Alice, ("system", "github"));
        world.Approve(instance.Id, Carol);
        world.Store.NewEffects();

        world.Approve(instance.Id, Dave);

        var ask = world.Store.NewEffects().OfType<AskDecision>().Single();
        Assert.Equal(Grace, ask.Recipient);
        Assert.Equal(CardKind.Task, ask.Card.Kind);
        Assert.Equal("Grant github", ask.Card.Title);
        Assert.Equal(StepState.Approved, world.Stored(instance.Id).Steps[0].State);
    }

    [Fact]
    public void In_mode_all_one_reject_ends_the_request_even_after_an_approval()
    {
        var world = new TestWorld(Workflows.Access);
        var instance = world.Start("access", Alice, ("system", "aws"));
        world.Approve(instance.Id, Carol);
        world.Store.NewEffects();

        world.Reject(instance.Id, Dave, "no need");

        var stored = world.Stored(instance.Id);
        Assert.Equal(InstanceState.Rejected, stored.State);
        Assert.Equal("rejected by Dave Doe: no need", stored.Steps[0].Note);
        Assert.Contains(world.Store.NewEffects(), e => e is NotifyPerson { Recipient: Alice } n && n.Text.Contains("rejected at security: rejected by Dave Doe: no need"));
        Assert.DoesNotContain(world.Store.Effects, e => e.Recipient == Grace);
    }

    [Fact]
    public void A_task_is_finished_with_done_and_completes_the_request()
    {
        var world = new TestWorld(Workflows.Access);
        var instance = world.Start("access", Alice, ("system", "aws"));
        world.Approve(instance.Id, Carol);
        world.Approve(instance.Id, Dave);
        world.Store.NewEffects();

        var result = world.Done(instance.Id, Grace);

        Assert.Equal("You marked done access-1.", result.Message);
        var effects = world.Store.NewEffects();
        var card = Assert.IsType<UpdateCard>(effects[0]).Card;
        Assert.Equal(CardStatus.Done, card.Status);
        Assert.StartsWith("Marked done by Grace Green", card.Outcome);
        Assert.Contains("is approved", Assert.IsType<NotifyPerson>(effects[^1]).Text);
        var stored = world.Stored(instance.Id);
        Assert.Equal(StepState.Done, stored.Steps[1].State);
        Assert.Equal(InstanceState.Completed, stored.State);
    }

    [Theory]
    [InlineData(Verdict.Approve, "This is a task: mark it done.")]
    [InlineData(Verdict.Reject, "This is a task: mark it done.")]
    public void A_task_takes_only_done(Verdict verdict, string message)
    {
        var world = new TestWorld(Workflows.Access);
        var instance = world.Start("access", Alice, ("system", "aws"));
        world.Approve(instance.Id, Carol);
        world.Approve(instance.Id, Dave);
        var revision = world.Stored(instance.Id).Revision;

        var result = world.Engine.Decide(instance.Id, world.CardOf(instance.Id, Grace), Grace, verdict, "why", "slack");

        Assert.Equal((DecideOutcome.NotAllowed, message), (result.Outcome, result.Message));
        Assert.Equal(revision, world.Stored(instance.Id).Revision);
    }

    [Fact]
    public void An_approval_step_does_not_take_done()
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", "5"), ("item", "Pen"));

        var result = world.Done(instance.Id, Bob);

        Assert.Equal((DecideOutcome.NotAllowed, "This step takes approve or reject."), (result.Outcome, result.Message));
    }

    [Fact]
    public void A_quorum_passes_once_enough_approve_and_closes_the_remaining_card()
    {
        var world = new TestWorld(Workflows.Budget);
        var instance = world.Start("budget", Alice);
        Assert.Equal([Carol, Dave, Frank], world.Store.NewEffects().OfType<AskDecision>().Select(a => a.Recipient));

        world.Approve(instance.Id, Frank);
        var first = world.Store.NewEffects().OfType<UpdateCard>().ToList();
        Assert.All(first, c => Assert.Equal("1 of 2 approvals", c.Card.Progress));
        Assert.Equal(InstanceState.Open, world.Stored(instance.Id).State);

        world.Approve(instance.Id, Carol);

        var cards = world.Store.NewEffects().OfType<UpdateCard>().ToList();
        Assert.Equal([Carol, Dave], cards.Select(c => c.Recipient));
        Assert.Equal("Decided by Carol Clark: approved", cards[1].Card.Outcome);
        Assert.Equal(InstanceState.Completed, world.Stored(instance.Id).State);
    }

    [Fact]
    public void A_quorum_fails_as_soon_as_it_can_no_longer_be_reached()
    {
        var world = new TestWorld(Workflows.Budget);
        var instance = world.Start("budget", Alice);

        world.Reject(instance.Id, Carol, "too much");
        Assert.Equal(InstanceState.Open, world.Stored(instance.Id).State);
        world.Store.NewEffects();

        world.Reject(instance.Id, Dave, "not now");

        var stored = world.Stored(instance.Id);
        Assert.Equal(InstanceState.Rejected, stored.State);
        Assert.Equal(StepState.Rejected, stored.Steps[0].State);
        var effects = world.Store.NewEffects();
        Assert.Equal(CardStatus.Rejected, effects.OfType<UpdateCard>().Single(c => c.Recipient == Frank).Card.Status);
        Assert.Equal("Rejected: the quorum can no longer be reached (Dave Doe rejected: not now)", effects.OfType<UpdateCard>().Single(c => c.Recipient == Frank).Card.Outcome);
        Assert.Contains(effects, e => e is NotifyPerson { Recipient: Alice } n && n.Text.StartsWith("❌ budget-1 (Budget change) was rejected at board"));
    }
}
