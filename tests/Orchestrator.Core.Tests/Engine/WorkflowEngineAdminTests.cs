using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

public sealed class WorkflowEngineAdminTests
{
    /// <summary>Erin (an admin, with no manager) must approve; when the day passes there is nobody to escalate to.</summary>
    private const string ErinDecides = """
        id: erin
        name: Erin decides
        steps:
          - id: review
            title: Review
            assignees: person:erin@example.com
            due: 1d
            on_timeout: escalate
            escalate_to: manager
        """;

    [Fact]
    public void A_step_nobody_can_take_is_stuck_until_an_admin_reassigns_it()
    {
        var world = new TestWorld(Workflows.Purchase);
        var id = world.Start("purchase", Frank, ("amount", "50"), ("item", "Desk")).Id;
        world.Store.NewEffects();

        var stuck = Assert.Single(world.Engine.Stuck());
        Assert.Equal((id, "manager", StuckKind.Unassignable, "nobody to assign: manager resolves to no one"), (stuck.InstanceId, stuck.StepId, stuck.Kind, stuck.Problem));
        Assert.Equal("admin reassign purchase-1 manager <person>", stuck.Fix);

        world.Time.Advance(TimeSpan.FromHours(3));
        var result = world.Engine.Reassign(id, "manager", Bob, Erin, "slack");

        Assert.Equal((true, "Reassigned manager of purchase-1 from nobody to Bob Brown; a new card is on its way."), (result.Changed, result.Message));
        Assert.Empty(world.Engine.Stuck());
        var effects = world.Store.NewEffects();
        var ask = Assert.Single(effects.OfType<AskDecision>());
        Assert.Equal((Bob, Monday.AddHours(3) + TimeSpan.FromDays(1)), (ask.Recipient, ask.Card.DueAt));
        Assert.Equal((Frank, "purchase-1 (manager) was reassigned by Erin Evans to Bob Brown."),
            (effects.OfType<NotifyPerson>().Single().Recipient, effects.OfType<NotifyPerson>().Single().Text));
        var stored = world.Stored(id);
        var reassigned = stored.History.Single(e => e.Kind == EventKind.Reassigned);
        Assert.Equal((Erin, Monday.AddHours(3), "Reassigned by Erin Evans from nobody to Bob Brown: nobody to assign: manager resolves to no one", "slack"),
            (reassigned.Actor, reassigned.At, reassigned.Text, reassigned.Via));
        Assert.Equal([Bob], stored.CurrentOwners());

        Assert.True(world.Approve(id, Bob).Recorded);
        Assert.Equal(InstanceState.Completed, world.Stored(id).State);
    }

    [Fact]
    public void A_card_that_could_not_be_delivered_is_stuck_and_only_that_card_moves()
    {
        var world = new TestWorld(Workflows.Access);
        var id = world.Start("access", Alice, ("system", "aws")).Id;
        var carolCard = world.CardOf(id, Carol);
        world.Time.Advance(TimeSpan.FromMinutes(5));
        world.Engine.RecordDelivery(id, carolCard, null, "carol@example.com has no Slack account with that email");
        world.Store.NewEffects();

        var stuck = Assert.Single(world.Engine.Stuck());
        Assert.Equal((StuckKind.Undeliverable, Carol, "the card could not be delivered to Carol Clark: carol@example.com has no Slack account with that email", Monday.AddMinutes(5)),
            (stuck.Kind, stuck.Holder, stuck.Problem, stuck.Since));

        var result = world.Engine.Reassign(id, "security", Mallory, Erin, "teams");

        Assert.True(result.Changed, result.Message);
        Assert.Empty(world.Engine.Stuck());
        var effects = world.Store.NewEffects();
        var closed = Assert.Single(effects.OfType<UpdateCard>());
        Assert.Equal((Carol, CardStatus.Closed), (closed.Recipient, closed.Card.Status));
        Assert.StartsWith("Reassigned to Mallory Moss by Erin Evans", closed.Card.Outcome);
        Assert.Equal(Mallory, Assert.Single(effects.OfType<AskDecision>()).Recipient);
        // Carol could not be reached before; she is not written to again. Only the requester hears.
        Assert.Equal([Alice], effects.OfType<NotifyPerson>().Select(n => n.Recipient));
        Assert.Equal([Dave, Mallory], world.Stored(id).CurrentOwners().Order());
    }

    [Fact]
    public void A_step_past_its_deadline_with_nobody_to_escalate_to_is_stuck_until_reassigned()
    {
        var world = new TestWorld(ErinDecides);
        var id = world.Start("erin", Alice).Id;
        world.Time.Advance(TimeSpan.FromDays(1));
        world.Engine.Tick(id);
        world.Store.NewEffects();

        var stuck = Assert.Single(world.Engine.Stuck());
        Assert.Equal((StuckKind.NoEscalation, "overdue since Tue 3 Mar 08:00 UTC, nobody left to escalate to from Erin Evans"), (stuck.Kind, stuck.Problem));

        var result = world.Engine.Reassign(id, "review", Frank, Erin, "slack");

        Assert.True(result.Changed, result.Message);
        Assert.Empty(world.Engine.Stuck());
        var effects = world.Store.NewEffects();
        Assert.StartsWith("Reassigned to Frank Fox by Erin Evans", effects.OfType<UpdateCard>().Single().Card.Outcome);
        Assert.Equal(Frank, effects.OfType<AskDecision>().Single().Recipient);
        var run = world.Stored(id).Current!;
        Assert.Equal(world.Time.GetUtcNow() + TimeSpan.FromDays(1), run.DueAt);
        Assert.False(run.OverdueHandled);
        Assert.Null(run.WaitingOnAdmin);
        Assert.Equal(world.Time.GetUtcNow() + TimeSpan.FromDays(1), world.Stored(id).NextDueAt());
    }

    [Fact]
    public void Reassigning_a_held_step_tells_the_old_holder_and_closes_their_card()
    {
        var world = new TestWorld(Workflows.Purchase);
        var id = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk")).Id;
        world.Store.NewEffects();

        var result = world.Engine.Reassign(id, "MANAGER", Frank, Erin, "slack");

        Assert.Equal("Reassigned manager of purchase-1 from Bob Brown to Frank Fox; a new card is on its way.", result.Message);
        var effects = world.Store.NewEffects();
        Assert.Equal(Bob, effects.OfType<UpdateCard>().Single().Recipient);
        Assert.Contains(effects.OfType<NotifyPerson>(), n => n.Recipient == Bob && n.Text == "Desk for 50 EUR (purchase-1) was reassigned to Frank Fox by Erin Evans. Nothing more is needed from you.");
        Assert.Equal(Bob, world.Stored(id).Current!.Assignments[^1].HandedFrom);
    }

    [Fact]
    public void Reassigning_to_someone_away_reaches_their_delegate()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Engine.Delegate(Frank, Mallory, null, "slack");
        var id = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk")).Id;

        var result = world.Engine.Reassign(id, "manager", Frank, Erin, "slack");

        Assert.Equal("Reassigned manager of purchase-1 from Bob Brown to Mallory Moss (on behalf of Frank Fox, who is away); a new card is on its way.", result.Message);
        Assert.Equal([Mallory], world.Stored(id).CurrentOwners());
    }

    [Theory]
    [InlineData("purchase-9", "manager", "frank@example.com", "There is no request purchase-9.")]
    [InlineData("purchase-1", "finance", "frank@example.com", "purchase-1 is at step manager, not finance: only the step that holds the work can be reassigned.")]
    [InlineData("purchase-1", "boss", "frank@example.com", "purchase-1 has no step 'boss'. Its steps: manager, finance, tell-it.")]
    [InlineData("purchase-1", "manager", "nobody@example.com", "I don't know nobody@example.com. Reassign to someone in the directory, written as their email or a mention. Nothing was changed.")]
    [InlineData("purchase-1", "manager", "bob@example.com", "Bob Brown already holds manager of purchase-1. Nothing was changed.")]
    public void Bad_reassigns_are_refused_and_change_nothing(string id, string step, string person, string message)
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Start("purchase", Alice, ("amount", "5000"), ("item", "Desk"));
        world.Store.NewEffects();
        var writes = world.Store.Writes;

        var result = world.Engine.Reassign(id, step, person, Erin, "slack");

        Assert.Equal((false, message), (result.Changed, result.Message));
        Assert.Equal(writes, world.Store.Writes);
        Assert.Empty(world.Store.NewEffects());
    }

    [Fact]
    public void A_closed_request_cannot_be_reassigned()
    {
        var world = new TestWorld(Workflows.Purchase);
        var id = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk")).Id;
        world.Approve(id, Bob);

        var result = world.Engine.Reassign(id, "manager", Frank, Erin, "slack");

        Assert.Equal("purchase-1 is already completed; only open requests can be reassigned.", result.Message);
    }

    [Fact]
    public void Moving_every_card_of_a_quorum_to_one_person_is_refused()
    {
        var world = new TestWorld(Workflows.Budget);
        var id = world.Start("budget", Alice).Id;

        var result = world.Engine.Reassign(id, "board", Mallory, Erin, "slack");

        Assert.Equal("board of budget-1 needs 2 approvals from different people; moving 3 cards to one person would make that impossible. Nothing was changed.", result.Message);
        Assert.Equal([Carol, Dave, Frank], world.Stored(id).CurrentOwners().Order());
    }

    [Fact]
    public void A_quorum_short_of_people_gains_one_person_per_reassign()
    {
        var budget = Workflows.Budget.Replace("[role:finance, person:frank@example.com]", "person:frank@example.com");
        var world = new TestWorld(budget);
        var id = world.Start("budget", Alice).Id;
        Assert.Equal(StuckKind.Unassignable, Assert.Single(world.Engine.Stuck()).Kind);

        Assert.True(world.Engine.Reassign(id, "board", Carol, Erin, "slack").Changed);
        Assert.True(world.Engine.Reassign(id, "board", Dave, Erin, "slack").Changed);

        Assert.Equal([Carol, Dave], world.Stored(id).CurrentOwners().Order());
        world.Approve(id, Carol);
        world.Approve(id, Dave);
        Assert.Equal(InstanceState.Completed, world.Stored(id).State);
    }
}
