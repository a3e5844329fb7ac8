using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

public sealed class WorkflowEngineStartTests
{
    [Fact]
    public void Ids_count_up_per_workflow()
    {
        var world = new TestWorld(Workflows.Purchase, Workflows.Access);

        var ids = new[]
        {
            world.Start("purchase", Alice, ("amount", "10"), ("item", "Pens")).Id,
            world.Start("purchase", Alice, ("amount", "20"), ("item", "Paper")).Id,
            world.Start("access", Alice, ("system", "aws")).Id,
            world.Start("Purchase", Alice, ("amount", "30"), ("item", "Ink")).Id,
        };

        Assert.Equal(["purchase-1", "purchase-2", "access-1", "purchase-3"], ids);
        Assert.Equal(3, world.Stored("purchase-3").Number);
    }

    [Fact]
    public void A_started_instance_is_stored_with_its_inputs_requester_and_history()
    {
        var world = new TestWorld(Workflows.Purchase);

        var result = world.Engine.Start("purchase", new Dictionary<string, string> { ["Amount"] = "1500.50", ["item"] = " Desk " }, "Alice@Example.com", "teams");

        Assert.Equal(StartOutcome.Started, result.Outcome);
        var stored = world.Stored("purchase-1");
        Assert.Equal(Alice, stored.Requester);
        Assert.Equal(Monday, stored.StartedAt);
        Assert.Equal("teams", stored.StartedVia);
        Assert.Equal("1500.5", stored.Inputs["amount"]);
        Assert.Equal("Desk", stored.Inputs["item"]);
        Assert.Equal(InstanceState.Open, stored.State);
        Assert.Equal(1, stored.Revision);
        Assert.Equal("manager", stored.Current!.StepId);
        Assert.Equal([EventKind.Started, EventKind.StepActivated], stored.History.Select(e => e.Kind));
        Assert.Equal("Started by Alice Adams", stored.History[0].Text);
    }

    [Fact]
    public void The_first_step_asks_the_requesters_manager_with_a_card_that_shows_the_request()
    {
        var world = new TestWorld(Workflows.Purchase);

        world.Start("purchase", Alice, ("amount", "1500"), ("item", "Standing desk"));

        var ask = Assert.IsType<AskDecision>(Assert.Single(world.Store.NewEffects()));
        Assert.Equal(Bob, ask.Recipient);
        Assert.Equal("purchase-1", ask.InstanceId);
        var card = ask.Card;
        Assert.Equal("purchase-1", card.InstanceId);
        Assert.Equal("manager", card.StepId);
        Assert.Equal(CardKind.Approval, card.Kind);
        Assert.Equal(CardStatus.Open, card.Status);
        Assert.Equal("Standing desk for 1500 EUR", card.Title);
        Assert.Equal("Purchase request", card.WorkflowName);
        Assert.Equal("Alice Adams", card.RequestedBy);
        Assert.Equal([new CardField("Amount (EUR)", "1500"), new CardField("Item", "Standing desk")], card.Fields);
        Assert.Equal(Monday.AddDays(1), card.DueAt);
        Assert.Null(card.Outcome);
    }

    public static TheoryData<string, string[]> AssigneeLists => new()
    {
        { "requester", [Alice] },
        { "manager", [Bob] },
        { "role:finance", [Carol, Dave] },
        { "person:grace@example.com", [Grace] },
        { "person:Grace@Example.com", [Grace] },
        { "[requester, manager, role:finance, person:grace@example.com]", [Alice, Bob, Carol, Dave, Grace] },
        { "[manager, person:bob@example.com, role:finance, person:carol@example.com]", [Bob, Carol, Dave] },
    };

    [Theory]
    [MemberData(nameof(AssigneeLists))]
    public void Each_assignee_gets_one_card(string assignees, string[] expected)
    {
        var world = new TestWorld($"""
            id: ask
            name: Ask
            steps:
              - id: first
                title: Please decide
                assignees: {assignees}
            """);

        var instance = world.Start("ask", Alice);

        var asks = world.Store.NewEffects().OfType<AskDecision>().ToList();
        Assert.Equal(expected, asks.Select(a => a.Recipient));
        Assert.Equal(expected.Select((_, n) => $"first.{n + 1}"), asks.Select(a => a.Card.AssignmentId));
        Assert.Equal(expected, world.Stored(instance.Id).CurrentOwners());
    }

    [Theory]
    [InlineData("999", false)]
    [InlineData("1000", false)]
    [InlineData("1000.01", true)]
    [InlineData("5000", true)]
    public void Finance_is_asked_only_when_the_amount_is_above_1000(string amount, bool financeAsked)
    {
        var world = new TestWorld(Workflows.Purchase);
        var instance = world.Start("purchase", Alice, ("amount", amount), ("item", "Desk"));
        world.Store.NewEffects();

        Assert.True(world.Approve(instance.Id, Bob).Recorded);

        var stored = world.Stored(instance.Id);
        var finance = stored.Steps.Single(s => s.StepId == "finance");
        var asked = world.Store.NewEffects().OfType<AskDecision>().Select(a => a.Recipient).ToList();
        if (financeAsked)
        {
            Assert.Equal(StepState.Active, finance.State);
            Assert.Equal([Carol, Dave], asked);
            Assert.Equal(InstanceState.Open, stored.State);
        }
        else
        {
            Assert.Equal(StepState.Skipped, finance.State);
            Assert.Equal("skipped: amount > 1000 is false", finance.Note);
            Assert.Empty(asked);
            Assert.Equal(InstanceState.Completed, stored.State);
        }
    }

    [Fact]
    public void A_value_that_is_not_a_number_starts_nothing_and_uses_up_no_id()
    {
        var world = new TestWorld(Workflows.Purchase);

        var result = world.Engine.Start("purchase", new Dictionary<string, string> { ["amount"] = "abc", ["item"] = "Desk" }, Alice, "slack");

        Assert.Equal(StartOutcome.InvalidInputs, result.Outcome);
        Assert.Null(result.Instance);
        var error = Assert.Single(result.Errors!);
        Assert.Equal("amount", error.Field);
        Assert.Contains("must be a number, got 'abc'", error.Message);
        Assert.Empty(world.Store.Effects);
        Assert.Null(world.Store.Get("purchase-1"));
        Assert.Equal("purchase-1", world.Start("purchase", Alice, ("amount", "5"), ("item", "Desk")).Id);
    }

    [Fact]
    public void Missing_required_inputs_are_named_and_the_given_ones_kept_for_the_form()
    {
        var world = new TestWorld(Workflows.Purchase);

        var result = world.Engine.Start("purchase", new Dictionary<string, string> { ["amount"] = "1.50" }, Alice, "slack");

        Assert.Equal(StartOutcome.MissingInputs, result.Outcome);
        Assert.Equal(["item"], result.Missing!.Select(m => m.Id));
        Assert.Equal("1.5", result.Values!["amount"]);
        Assert.Empty(world.Store.Effects);
        Assert.Equal("purchase-1", world.Start("purchase", Alice, ("amount", "5"), ("item", "Desk")).Id);
    }

    [Fact]
    public void An_unknown_workflow_starts_nothing()
    {
        var world = new TestWorld(Workflows.Purchase);

        var result = world.Engine.Start("purchse", new Dictionary<string, string>(), Alice, "slack");

        Assert.Equal(StartOutcome.UnknownWorkflow, result.Outcome);
        Assert.Empty(world.Store.Effects);
        Assert.Equal(0, world.Store.Writes);
    }

    [Fact]
    public void A_title_can_name_the_requester()
    {
        var world = new TestWorld(Workflows.Access);

        world.Start("access", Alice, ("system", "AWS"));

        var asks = world.Store.NewEffects().OfType<AskDecision>().ToList();
        Assert.All(asks, a => Assert.Equal("Access to aws for Alice Adams", a.Card.Title));
    }

    [Fact]
    public void A_running_instance_keeps_the_definition_it_started_with_when_the_catalog_changes()
    {
        var world = new TestWorld(Workflows.Purchase);
        var old = world.Start("purchase", Alice, ("amount", "50"), ("item", "Pens"));
        var changed = Workflows.Purchase.Replace("title: \"{{item}} for {{amount}} EUR\"", "title: \"New look: {{item}}\"")
            .Replace("when: amount > 1000", "when: amount > 10");
        world.Load(changed);

        var fresh = world.Start("purchase", Alice, ("amount", "50"), ("item", "Ink"));
        world.Store.NewEffects();
        world.Approve(old.Id, Bob);

        var stored = world.Stored(old.Id);
        Assert.NotEqual(stored.Definition.Version, world.Stored(fresh.Id).Definition.Version);
        Assert.Equal(InstanceState.Completed, stored.State);
        Assert.Equal(StepState.Skipped, stored.Steps[1].State);
        Assert.DoesNotContain(world.Store.NewEffects(), e => e is AskDecision);
        Assert.Equal("New look: Ink", world.Store.Effects.OfType<AskDecision>().Last(a => a.InstanceId == fresh.Id).Card.Title);

        world.Approve(fresh.Id, Bob);
        Assert.Equal([Carol, Dave], world.Store.NewEffects().OfType<AskDecision>().Select(a => a.Recipient));
    }

    [Fact]
    public void A_step_nobody_can_take_tells_the_admins_and_the_requester()
    {
        var world = new TestWorld(Workflows.Purchase);

        var result = world.Engine.Start("purchase", new Dictionary<string, string> { ["amount"] = "50", ["item"] = "Pens" }, Frank, "slack");

        Assert.Equal(StartOutcome.Started, result.Outcome);
        var stored = world.Stored("purchase-1");
        Assert.Equal(InstanceState.Open, stored.State);
        Assert.Equal(StepState.Active, stored.Current!.State);
        Assert.Empty(stored.CurrentOwners());
        Assert.Equal("nobody to assign: manager resolves to no one", stored.Current.Note);
        Assert.Contains(stored.History, e => e.Kind == EventKind.Unassignable);
        var effects = world.Store.NewEffects().Cast<NotifyPerson>().ToList();
        Assert.Equal([Erin, Frank], effects.Select(e => e.Recipient));
        Assert.Equal("⚠️ purchase-1 is stuck at step manager: nobody to assign: manager resolves to no one.", effects[0].Text);
        Assert.Equal("⚠️ purchase-1 is waiting on an admin: step manager has nobody to assign: manager resolves to no one.", effects[1].Text);
    }

    [Fact]
    public void A_quorum_larger_than_the_role_is_stuck_and_tells_the_admins()
    {
        var world = new TestWorld("""
            id: board
            name: Board vote
            steps:
              - id: vote
                title: Vote
                assignees: role:finance
                mode: quorum:3
            """);

        world.Start("board", Alice);

        var stored = world.Stored("board-1");
        Assert.Equal("quorum 3 needs more people than role:finance has (2)", stored.Current!.Note);
        Assert.Empty(stored.Current.Assignments);
        var effects = world.Store.NewEffects();
        Assert.DoesNotContain(effects, e => e is AskDecision);
        Assert.Contains(effects, e => e is NotifyPerson { Recipient: Erin } n && n.Text.Contains("board-1 is stuck at step vote"));
        Assert.Contains(effects, e => e is NotifyPerson { Recipient: Alice } n && n.Text.Contains("waiting on an admin"));
    }

    [Fact]
    public void A_workflow_of_notify_steps_only_tells_people_and_completes_at_once()
    {
        var world = new TestWorld("""
            id: heads-up
            name: Heads-up
            inputs:
              - { id: what, label: What, type: text, required: true }
            steps:
              - id: tell
                kind: notify
                title: "Heads-up: {{what}}"
                assignees: [role:finance, manager]
            """);

        var instance = world.Start("heads-up", Alice, ("what", "server move"));

        Assert.Equal(InstanceState.Completed, instance.State);
        var texts = world.Store.NewEffects().Cast<NotifyPerson>().Select(n => (n.Recipient, n.Text)).ToList();
        Assert.Equal(
            [
                (Carol, "Heads-up: server move (heads-up-1, Heads-up)"),
                (Dave, "Heads-up: server move (heads-up-1, Heads-up)"),
                (Bob, "Heads-up: server move (heads-up-1, Heads-up)"),
                (Alice, "✅ heads-up-1 (Heads-up) is approved."),
            ],
            texts);
        Assert.Equal(StepState.Notified, world.Stored(instance.Id).Steps[0].State);
    }
}
