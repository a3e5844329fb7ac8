using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

public sealed class WorkflowEngineCancelTests
{
    private static (TestWorld World, string Id) PurchaseWaitingOnBob()
    {
        var world = new TestWorld(Workflows.Purchase);
        var id = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk")).Id;
        world.Store.NewEffects();
        world.Time.Advance(TimeSpan.FromHours(1));
        return (world, id);
    }

    [Fact]
    public void The_requester_cancels_and_the_open_card_is_closed_with_the_reason()
    {
        var (world, id) = PurchaseWaitingOnBob();

        var result = world.Engine.Cancel(id, "Alice@example.com", " ordered elsewhere ", "slack");

        Assert.Equal((DecideOutcome.Recorded, "Cancelled purchase-1."), (result.Outcome, result.Message));
        var effects = world.Store.NewEffects();
        var card = Assert.Single(effects.OfType<UpdateCard>());
        Assert.Equal(Bob, card.Recipient);
        var holderTold = Assert.Single(effects.OfType<NotifyPerson>());
        Assert.Equal((Bob, "Desk for 50 EUR (purchase-1) was cancelled by Alice Adams: ordered elsewhere. Nothing more is needed from you."), (holderTold.Recipient, holderTold.Text));
        Assert.Equal(CardStatus.Closed, card.Card.Status);
        Assert.Equal("Cancelled by Alice Adams: ordered elsewhere", card.Card.Outcome);
        Assert.Equal("ordered elsewhere", card.Card.Reason);
        var stored = world.Stored(id);
        Assert.Equal(InstanceState.Cancelled, stored.State);
        Assert.Equal(Monday.AddHours(1), stored.ClosedAt);
        Assert.Equal(StepState.Cancelled, stored.Steps[0].State);
        Assert.Empty(stored.CurrentOwners());
        var cancelled = stored.History[^1];
        Assert.Equal((EventKind.Cancelled, Alice, "Cancelled by Alice Adams: ordered elsewhere", "slack"), (cancelled.Kind, cancelled.Actor, cancelled.Text, cancelled.Via));
    }

    [Fact]
    public void An_admin_cancels_and_the_requester_is_told_who_did()
    {
        var (world, id) = PurchaseWaitingOnBob();

        var result = world.Engine.Cancel(id, Erin, "duplicate", "teams");

        Assert.True(result.Recorded);
        var effects = world.Store.NewEffects();
        Assert.Equal(CardStatus.Closed, effects.OfType<UpdateCard>().Single(c => c.Recipient == Bob).Card.Status);
        var told = effects.OfType<NotifyPerson>().Where(n => n.Recipient != Bob).Single();
        Assert.Equal((Alice, "purchase-1 was cancelled by Erin Evans: duplicate."), (told.Recipient, told.Text));
    }

    [Theory]
    [InlineData(Mallory)]
    [InlineData(Bob)]
    public void Someone_who_is_neither_requester_nor_admin_cannot_cancel(string actor)
    {
        var (world, id) = PurchaseWaitingOnBob();
        var writes = world.Store.Writes;

        var result = world.Engine.Cancel(id, actor, null, "slack");

        Assert.Equal((DecideOutcome.NotAllowed, "Only Alice Adams (who asked) or an admin can cancel purchase-1."), (result.Outcome, result.Message));
        Assert.Equal(InstanceState.Open, world.Stored(id).State);
        Assert.Equal(1, world.Stored(id).Revision);
        Assert.Equal(writes, world.Store.Writes);
        Assert.Empty(world.Store.NewEffects());
    }

    [Fact]
    public void A_closed_request_cannot_be_cancelled()
    {
        var (world, id) = PurchaseWaitingOnBob();
        world.Approve(id, Bob);
        world.Store.NewEffects();

        var result = world.Engine.Cancel(id, Alice, null, "slack");

        Assert.Equal((DecideOutcome.Closed, "purchase-1 is already completed."), (result.Outcome, result.Message));
        Assert.Empty(world.Store.NewEffects());
    }

    [Fact]
    public void Cancelling_an_unknown_request_is_not_found()
    {
        var (world, _) = PurchaseWaitingOnBob();

        var result = world.Engine.Cancel("purchase-42", Alice, null, "slack");

        Assert.Equal((DecideOutcome.NotFound, "There is no request purchase-42."), (result.Outcome, result.Message));
    }

    [Fact]
    public void A_stuck_request_can_be_cancelled_by_an_admin()
    {
        var world = new TestWorld(Workflows.Purchase);
        var id = world.Start("purchase", Frank, ("amount", "50"), ("item", "Desk")).Id;
        world.Store.NewEffects();

        var result = world.Engine.Cancel(id, Erin, null, "slack");

        Assert.True(result.Recorded);
        Assert.Equal(InstanceState.Cancelled, world.Stored(id).State);
        var told = Assert.IsType<NotifyPerson>(Assert.Single(world.Store.NewEffects()));
        Assert.Equal((Frank, "purchase-1 was cancelled by Erin Evans."), (told.Recipient, told.Text));
    }

    [Fact]
    public void Every_holder_of_an_open_card_is_told_and_every_card_closes_in_place()
    {
        var world = new TestWorld(Workflows.Purchase);
        var id = world.Start("purchase", Alice, ("amount", "1500"), ("item", "Desk")).Id;
        world.Approve(id, Bob);
        world.Store.NewEffects();

        var result = world.Engine.Cancel(id, Alice, "not needed", "teams");

        Assert.True(result.Recorded);
        var effects = world.Store.NewEffects();
        Assert.Equal([Carol, Dave], effects.OfType<UpdateCard>().Select(c => c.Recipient).Order());
        Assert.All(effects.OfType<UpdateCard>(), c => Assert.Equal((CardStatus.Closed, "Cancelled by Alice Adams: not needed"), (c.Card.Status, c.Card.Outcome)));
        var told = effects.OfType<NotifyPerson>().Where(n => n.Recipient != Alice).ToList();
        Assert.Equal([Carol, Dave], told.Select(n => n.Recipient).Order());
        Assert.All(told, n => Assert.Equal("Finance check: Desk (purchase-1) was cancelled by Alice Adams: not needed. Nothing more is needed from you.", n.Text));
        Assert.DoesNotContain(effects.OfType<NotifyPerson>(), n => n.Recipient == Bob);
        Assert.All(world.Stored(id).Steps[1].Assignments, a => Assert.False(a.IsOpen));
    }
}
