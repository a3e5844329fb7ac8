using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

/// <summary><c>on_reject: back-to-requester</c>: a rejection sends the request back to be changed and resubmitted, or withdrawn.</summary>
public sealed class WorkflowEngineResubmitTests
{
    /// <summary>Bob decides and may send it back; finance (either of two) checks amounts over 1000.</summary>
    private const string Laptop = """
        id: laptop
        name: Laptop request
        inputs:
          - { id: amount, label: Amount (EUR), type: number, required: true }
          - { id: model, label: Model, type: text, required: true }
          - { id: note, label: Note, type: text }
        steps:
          - id: manager
            title: "{{model}} for {{amount}} EUR"
            assignees: manager
            due: 1d
            on_reject: back-to-requester
          - id: finance
            title: "Finance check: {{model}}"
            when: amount > 1000
            assignees: role:finance
        """;

    private static (TestWorld World, string Id) Rejected()
    {
        var world = new TestWorld(Laptop);
        var id = world.Start("laptop", Alice, ("amount", "1500"), ("model", "X1"), ("note", "for travel")).Id;
        world.Time.Advance(TimeSpan.FromHours(1));
        Assert.True(world.Reject(id, Bob, "Too pricey, pick a cheaper one").Recorded);
        return (world, id);
    }

    private static AskDecision ResubmitCard(TestWorld world, string id) =>
        world.Store.Effects.OfType<AskDecision>().Last(e => e.InstanceId == id && e.Card.Kind == CardKind.Resubmit);

    private static Dictionary<string, string> Values(params (string Key, string Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void A_rejection_keeps_the_request_open_and_sends_the_requester_a_card_to_change_and_resubmit()
    {
        var (world, id) = Rejected();

        var instance = world.Stored(id);
        Assert.Equal(InstanceState.Open, instance.State);
        Assert.Equal(StepState.Returned, instance.Steps[0].State);
        Assert.Equal([Alice], instance.CurrentOwners());
        Assert.Null(instance.NextDueAt());
        var card = ResubmitCard(world, id);
        Assert.Equal(Alice, card.Recipient);
        Assert.Equal("Bob Brown rejected X1 for 1500 EUR", card.Card.Title);
        Assert.Equal("Too pricey, pick a cheaper one", card.Card.Reason);
        Assert.Equal(["amount", "model", "note"], card.Card.Form!.Inputs.Select(i => i.Id));
        Assert.Equal("1500", card.Card.Form.Values["amount"]);
        Assert.Equal("for travel", card.Card.Form.Values["note"]);
        Assert.Equal(
            [EventKind.Decided, EventKind.StepRejected, EventKind.ReturnedToRequester],
            instance.History.TakeLast(3).Select(e => e.Kind));
        Assert.Contains(world.Store.Effects.OfType<UpdateCard>(), u => u.Recipient == Bob && u.Card.Status == CardStatus.Rejected);
        Assert.DoesNotContain(world.Store.Effects.OfType<NotifyPerson>(), n => n.Recipient == Alice && n.Text.Contains("was rejected"));

        var status = world.Commands.Execute($"status {id}", Alice, "slack").Text;
        Assert.Contains("laptop-1 — Laptop request — open", status);
        Assert.Contains("1. manager — held by Alice Adams since Mon 2 Mar 09:00 UTC: rejected by Bob Brown: Too pricey, pick a cheaper one; back with Alice Adams to change and resubmit", status);
        Assert.Contains("rejected at manager, back with Alice Adams to change and resubmit", world.Commands.Execute("requests", Alice, "slack").Text);
    }

    [Fact]
    public void Resubmitting_changed_inputs_runs_the_same_step_again_and_the_approver_sees_what_changed()
    {
        var (world, id) = Rejected();
        var back = ResubmitCard(world, id).Card.AssignmentId;
        world.Time.Advance(TimeSpan.FromHours(1));
        world.Store.NewEffects();

        var result = world.Engine.Resubmit(id, back, Alice, Values(("amount", "900"), ("model", "X1 Carbon"), ("note", "for travel")), "slack");

        Assert.True(result.Recorded, result.Message);
        var effects = world.Store.NewEffects();
        var fresh = Assert.Single(effects.OfType<AskDecision>());
        Assert.Equal(Bob, fresh.Recipient);
        Assert.Equal("manager.2", fresh.Card.AssignmentId);
        Assert.Equal("X1 Carbon for 900 EUR", fresh.Card.Title);
        Assert.Equal([new CardChange("Amount (EUR)", "1500", "900"), new CardChange("Model", "X1", "X1 Carbon")], fresh.Card.Changes);
        Assert.Equal(Monday.AddHours(2) + TimeSpan.FromDays(1), fresh.Card.DueAt);
        var resubmitted = effects.OfType<UpdateCard>().Single(u => u.Recipient == Alice);
        Assert.Equal((CardKind.Resubmit, CardStatus.Done), (resubmitted.Card.Kind, resubmitted.Card.Status));

        var instance = world.Stored(id);
        Assert.Equal("900", instance.Inputs["amount"]);
        Assert.Equal(StepState.Active, instance.Steps[0].State);
        Assert.Equal([Bob], instance.CurrentOwners());
        Assert.Contains(instance.History, e => e.Kind == EventKind.Resubmitted && e.Text == "Alice Adams changed Amount (EUR): 1500 → 900, Model: X1 → X1 Carbon and resubmitted");
        Assert.Contains("Bob Brown rejected Mon 2 Mar 09:00 UTC: “Too pricey, pick a cheaper one”", world.Commands.Execute($"status {id}", Alice, "slack").Text);

        Assert.True(world.Approve(id, Bob).Recorded);
        Assert.Equal(InstanceState.Completed, world.Stored(id).State);
        Assert.Equal(StepState.Skipped, world.Stored(id).Steps[1].State);
    }

    [Theory]
    [InlineData("amount", "cheap", "amount must be a number, got 'cheap'. Nothing was resubmitted.")]
    [InlineData("amount", "", "Amount (EUR) is required. Nothing was resubmitted.")]
    [InlineData("colour", "red", "unknown input 'colour'; valid inputs: amount, model, note. Nothing was resubmitted.")]
    public void Bad_values_are_refused_with_the_reason_and_nothing_changes(string field, string value, string message)
    {
        var (world, id) = Rejected();
        var back = ResubmitCard(world, id).Card.AssignmentId;
        var before = world.Stored(id).Revision;
        var values = Values(("amount", "900"), ("model", "X1"));
        values[field] = value;

        var result = world.Engine.Resubmit(id, back, Alice, values, "slack");

        Assert.Equal(DecideOutcome.InvalidInputs, result.Outcome);
        Assert.Equal(message, result.Message);
        Assert.Equal(before, world.Stored(id).Revision);
        Assert.Equal("1500", world.Stored(id).Inputs["amount"]);
    }

    [Fact]
    public void A_resubmission_form_checked_by_someone_else_is_refused_before_any_field_is_validated()
    {
        var (world, id) = Rejected();
        var back = ResubmitCard(world, id).Card.AssignmentId;
        var invalid = Values(("amount", "lots"), ("model", ""));

        var byBob = world.Engine.CheckResubmit(id, back, Bob, invalid);
        var byAlice = world.Engine.CheckResubmit(id, back, Alice, invalid);

        Assert.Equal("Only Alice Adams, who made the request, can change and resubmit it. Nothing was changed.", byBob.Refusal?.Message);
        Assert.Null(byBob.Validation);
        Assert.Null(byAlice.Refusal);
        Assert.Equal(["amount"], byAlice.Validation!.Errors.Select(e => e.Field));
        Assert.Equal(["model"], byAlice.Validation.MissingRequired.Select(m => m.Id));
        Assert.Equal("1500", world.Stored(id).Inputs["amount"]);
    }

    [Fact]
    public void Only_the_requester_can_resubmit_and_only_once()
    {
        var (world, id) = Rejected();
        var back = ResubmitCard(world, id).Card.AssignmentId;

        var byBob = world.Engine.Resubmit(id, back, Bob, Values(("amount", "1"), ("model", "X")), "slack");
        Assert.Equal(DecideOutcome.NotAllowed, byBob.Outcome);
        Assert.Equal("Only Alice Adams, who made the request, can change and resubmit it. Nothing was changed.", byBob.Message);
        Assert.Equal(DecideOutcome.NotAllowed, world.Engine.Withdraw(id, back, Mallory, "slack").Outcome);

        Assert.True(world.Engine.Resubmit(id, back, Alice, Values(("amount", "900"), ("model", "X1")), "slack").Recorded);
        var revision = world.Stored(id).Revision;
        var again = world.Engine.Resubmit(id, back, Alice, Values(("amount", "800"), ("model", "X1")), "slack");
        Assert.Equal(DecideOutcome.AlreadyDecided, again.Outcome);
        Assert.StartsWith("Already resubmitted", again.Message);
        Assert.Equal(DecideOutcome.AlreadyDecided, world.Engine.Withdraw(id, back, Alice, "slack").Outcome);

        // Bob's first card belongs to the round that ended: a late click on it changes nothing.
        var late = world.Engine.Decide(id, "manager.1", Bob, Verdict.Approve, null, "slack");
        Assert.Equal(DecideOutcome.NotFound, late.Outcome);
        Assert.Equal(revision, world.Stored(id).Revision);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.Resubmit("laptop-42", back, Alice, Values(("amount", "1"), ("model", "X")), "slack").Outcome);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.Resubmit(id, "manager.r9", Alice, Values(("amount", "1"), ("model", "X")), "slack").Outcome);
    }

    [Fact]
    public void Withdrawing_cancels_the_request_and_closes_the_card()
    {
        var (world, id) = Rejected();
        var back = ResubmitCard(world, id).Card.AssignmentId;
        world.Store.NewEffects();

        var result = world.Engine.Withdraw(id, back, Alice, "teams");

        Assert.True(result.Recorded, result.Message);
        Assert.Equal(InstanceState.Cancelled, world.Stored(id).State);
        var closed = Assert.Single(world.Store.NewEffects().OfType<UpdateCard>());
        Assert.Equal((Alice, CardKind.Resubmit, CardStatus.Closed), (closed.Recipient, closed.Card.Kind, closed.Card.Status));
        Assert.Equal("Cancelled by Alice Adams: withdrawn after the rejection", closed.Card.Outcome);
        Assert.Equal(DecideOutcome.Closed, world.Engine.Resubmit(id, back, Alice, Values(("amount", "1"), ("model", "X")), "slack").Outcome);
    }

    [Fact]
    public void A_step_that_ends_on_reject_still_closes_the_request()
    {
        var world = new TestWorld(Laptop.Replace("on_reject: back-to-requester", "on_reject: end"));
        var id = world.Start("laptop", Alice, ("amount", "1500"), ("model", "X1")).Id;

        Assert.Equal(DecideOutcome.ReasonRequired, world.Reject(id, Bob, " ").Outcome);
        Assert.True(world.Reject(id, Bob, "No").Recorded);

        Assert.Equal(InstanceState.Rejected, world.Stored(id).State);
        Assert.DoesNotContain(world.Store.Effects.OfType<AskDecision>(), a => a.Card.Kind == CardKind.Resubmit);
    }

    [Fact]
    public void A_question_asked_after_a_resubmission_still_pauses_the_new_deadline()
    {
        var (world, id) = Rejected();
        world.Engine.Resubmit(id, ResubmitCard(world, id).Card.AssignmentId, Alice, Values(("amount", "900"), ("model", "X1")), "slack");
        world.Time.Advance(TimeSpan.FromHours(4));

        Assert.True(world.Engine.RequestInfo(id, world.CardOf(id, Bob), Bob, "Still for travel?", "slack").Recorded);

        var run = world.Stored(id).Steps[0];
        Assert.Null(run.DueAt);
        Assert.Equal(TimeSpan.FromHours(20), run.OpenQuestion!.DueLeft);
    }
}
