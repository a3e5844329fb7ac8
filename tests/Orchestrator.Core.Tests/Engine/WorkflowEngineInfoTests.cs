using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

/// <summary>An approver asks the requester for more information; the requester holds the step until they answer.</summary>
public sealed class WorkflowEngineInfoTests
{
    /// <summary>Bob (Alice's manager) decides, nudged every 4h, due in a day, then escalated to Frank.</summary>
    private const string Laptop = """
        id: laptop
        name: Laptop request
        inputs:
          - { id: amount, label: Amount (EUR), type: number, required: true }
          - { id: model, label: Model, type: text, required: true }
        steps:
          - id: manager
            title: "{{model}} for {{amount}} EUR"
            assignees: manager
            remind: 4h
            due: 1d
            on_timeout: escalate
            escalate_to: person:frank@example.com
        """;

    private static (TestWorld World, string Id, string Card) Started(string workflow = Laptop, string id = "laptop", params (string, string)[] inputs)
    {
        var world = new TestWorld(workflow);
        var instance = world.Start(id, Alice, inputs.Length > 0 ? inputs : [("amount", "1500"), ("model", "X1")]);
        return (world, instance.Id, world.CardOf(instance.Id, Bob));
    }

    private static string QuestionOf(TestWorld world, string instanceId) =>
        world.Store.Effects.OfType<AskDecision>().Last(e => e.InstanceId == instanceId && e.Card.Kind == CardKind.Question).Card.AssignmentId;

    [Fact]
    public void Asking_sends_the_requester_a_question_card_and_the_askers_card_waits_without_buttons()
    {
        var (world, id, card) = Started();
        world.Store.NewEffects();

        var result = world.Engine.RequestInfo(id, card, Bob, "  Which dock comes with it? ", "slack");

        Assert.True(result.Recorded, result.Message);
        Assert.Equal("Asked Alice Adams. Their answer will come to you on a fresh card of laptop-1.", result.Message);
        var effects = world.Store.NewEffects();
        var waiting = Assert.Single(effects.OfType<UpdateCard>());
        Assert.Equal(Bob, waiting.Recipient);
        Assert.Equal(CardStatus.Waiting, waiting.Card.Status);
        Assert.StartsWith("Waiting for Alice Adams's answer", waiting.Card.Outcome);
        var question = Assert.Single(effects.OfType<AskDecision>());
        Assert.Equal(Alice, question.Recipient);
        Assert.Equal(CardKind.Question, question.Card.Kind);
        Assert.Equal(CardStatus.Open, question.Card.Status);
        Assert.Equal("Bob Brown asks about X1 for 1500 EUR", question.Card.Title);
        Assert.Equal([new CardExchange("Bob Brown", "Which dock comes with it?")], question.Card.Exchanges);

        var stored = world.Stored(id);
        Assert.Equal([Alice], stored.CurrentOwners());
        var asked = stored.History.Last();
        Assert.Equal(EventKind.InfoRequested, asked.Kind);
        Assert.Equal((Bob, "manager", "Bob Brown asked Alice Adams: Which dock comes with it?", "slack"), (asked.Actor, asked.StepId, asked.Text, asked.Via));
        Assert.Equal([id], world.Store.WaitingOn(Alice).Select(i => i.Id));
        Assert.Empty(world.Store.WaitingOn(Bob));
    }

    [Fact]
    public void Status_names_the_requester_as_holder_answering_a_question_from_the_approver()
    {
        var (world, id, card) = Started();
        world.Time.Advance(TimeSpan.FromHours(2));
        world.Engine.RequestInfo(id, card, Bob, "Which dock?", "slack");

        var status = world.Commands.Execute($"status {id}", Bob, "slack").Text;
        var requests = world.Commands.Execute("requests", Alice, "slack").Text;

        Assert.Contains("1. manager — held by Alice Adams since Mon 2 Mar 10:00 UTC, answering a question from Bob Brown; deadline paused with 22h 0m left", status);
        Assert.Contains("? Bob Brown asked Alice Adams Mon 2 Mar 10:00 UTC: “Which dock?”", status);
        Assert.Contains("↳ not answered yet", status);
        Assert.Contains("waiting on Alice Adams to answer a question from Bob Brown at manager", requests);
    }

    [Fact]
    public void The_answer_comes_back_to_the_approver_on_a_fresh_card_of_the_same_step_showing_the_exchange()
    {
        var (world, id, card) = Started();
        world.Engine.RequestInfo(id, card, Bob, "Which dock?", "slack");
        world.Store.NewEffects();

        var result = world.Engine.AnswerInfo(id, QuestionOf(world, id), Alice, "The USB-C one", "teams");

        Assert.True(result.Recorded, result.Message);
        Assert.Equal("Sent your answer to Bob Brown.", result.Message);
        var effects = world.Store.NewEffects();
        var fresh = Assert.Single(effects.OfType<AskDecision>());
        Assert.Equal(Bob, fresh.Recipient);
        Assert.Equal((CardKind.Approval, CardStatus.Open, card), (fresh.Card.Kind, fresh.Card.Status, fresh.Card.AssignmentId));
        Assert.Equal([new CardExchange("Bob Brown", "Which dock?", "Alice Adams", "The USB-C one")], fresh.Card.Exchanges);
        var updates = effects.OfType<UpdateCard>().ToList();
        Assert.Contains(updates, u => u.Recipient == Alice && u.Card.Kind == CardKind.Question && u.Card.Status == CardStatus.Done);
        Assert.Contains(updates, u => u.Recipient == Bob && u.Card.Status == CardStatus.Closed && u.Card.Outcome!.Contains("posted again below"));
        var answered = world.Stored(id).History.Last();
        Assert.Equal((EventKind.InfoAnswered, Alice, "Alice Adams answered Bob Brown: The USB-C one", "teams"), (answered.Kind, answered.Actor, answered.Text, answered.Via));
        Assert.Equal([Bob], world.Stored(id).CurrentOwners());

        Assert.True(world.Approve(id, Bob).Recorded);
        Assert.Equal(InstanceState.Completed, world.Stored(id).State);
    }

    [Fact]
    public void While_the_requester_holds_it_the_deadline_and_reminders_pause_and_then_resume_with_what_was_left()
    {
        var (world, id, card) = Started();
        world.Time.SetUtcNow(Monday.AddHours(2));
        world.Engine.RequestInfo(id, card, Bob, "Which dock?", "slack");
        // Asked at 10:00 with 22h of the deadline and 2h of Bob's reminder interval left; Alice is nudged every 4h.
        Assert.Equal(Monday.AddHours(6), world.Stored(id).NextDueAt());

        var paused = RunUntil(world, id, Monday.AddHours(50));

        Assert.All(paused, t => Assert.Equal(Alice, t.Effect.Recipient));
        var nudges = paused.Select(t => t.Effect).OfType<RemindPerson>().ToList();
        Assert.Equal(12, nudges.Count);
        Assert.Equal(QuestionOf(world, id), nudges[0].AssignmentId);
        Assert.Equal("⏰ Reminder: Bob Brown has waited 4h for your answer about X1 for 1500 EUR (laptop-1): “Which dock?”", nudges[0].Text);
        Assert.DoesNotContain(world.Stored(id).History, e => e.Kind is EventKind.Overdue or EventKind.Handoff);
        Assert.Equal(InstanceState.Open, world.Stored(id).State);

        world.Engine.AnswerInfo(id, QuestionOf(world, id), Alice, "USB-C", "slack");
        var run = world.Stored(id).Steps[0];
        Assert.Equal(Monday.AddHours(50 + 22), run.DueAt);
        Assert.Equal(Monday.AddHours(50 + 2), run.Assignments[0].NextRemindAt);

        var resumed = RunUntil(world, id, Monday.AddHours(72));
        Assert.Equal(
            [Monday.AddHours(52), Monday.AddHours(56), Monday.AddHours(60), Monday.AddHours(64), Monday.AddHours(68)],
            resumed.Where(t => t.Effect is RemindPerson).Select(t => t.At));
        Assert.All(resumed.Select(t => t.Effect).OfType<RemindPerson>(), r => Assert.Equal(Bob, r.Recipient));
        Assert.Contains(resumed, t => t.At == Monday.AddHours(72) && t.Effect is AskDecision { Recipient: Frank });
        Assert.Contains(world.Stored(id).History, e => e.Kind == EventKind.Handoff && e.At == Monday.AddHours(72));
    }

    [Fact]
    public void Someone_who_is_not_the_assignee_cannot_ask_and_nothing_changes()
    {
        var (world, id, card) = Started();
        var before = world.Stored(id).Revision;

        var result = world.Engine.RequestInfo(id, card, Mallory, "Why?", "slack");

        Assert.Equal(DecideOutcome.NotAssignee, result.Outcome);
        Assert.Contains("only they can answer it", result.Message);
        Assert.Equal(before, world.Stored(id).Revision);
        Assert.Empty(world.Stored(id).Steps[0].Questions);
        Assert.Equal(result.Outcome, world.Engine.CheckRequestInfo(id, card, Mallory)!.Outcome);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void A_blank_question_is_refused_and_nothing_is_sent(string? question)
    {
        var (world, id, card) = Started();
        world.Store.NewEffects();

        var result = world.Engine.RequestInfo(id, card, Bob, question, "slack");

        Assert.Equal(DecideOutcome.TextRequired, result.Outcome);
        Assert.Equal("Write a question for Alice Adams; nothing was sent.", result.Message);
        Assert.Empty(world.Store.NewEffects());
        Assert.Empty(world.Stored(id).Steps[0].Questions);
    }

    [Fact]
    public void Only_the_requester_can_answer_and_a_blank_answer_is_refused()
    {
        var (world, id, card) = Started();
        world.Engine.RequestInfo(id, card, Bob, "Which dock?", "slack");
        var question = QuestionOf(world, id);
        var before = world.Stored(id).Revision;

        var byApprover = world.Engine.AnswerInfo(id, question, Bob, "I'll answer myself", "slack");
        var byStranger = world.Engine.AnswerInfo(id, question, Mallory, "Me!", "slack");
        var blank = world.Engine.AnswerInfo(id, question, Alice, " \n ", "slack");

        Assert.Equal(DecideOutcome.NotAllowed, byApprover.Outcome);
        Assert.Equal("Only Alice Adams, who made the request, can answer this question. Nothing was changed.", byApprover.Message);
        Assert.Equal(DecideOutcome.NotAllowed, byStranger.Outcome);
        Assert.Equal(DecideOutcome.TextRequired, blank.Outcome);
        Assert.Equal("Write an answer for Bob Brown; nothing was sent.", blank.Message);
        Assert.Equal(before, world.Stored(id).Revision);
        Assert.True(world.Stored(id).Steps[0].OpenQuestion is { Answer: null });
        Assert.Null(world.Engine.CheckAnswer(id, question, Alice));
    }

    [Fact]
    public void A_second_click_on_an_old_card_changes_nothing()
    {
        var (world, id, card) = Started();
        world.Engine.RequestInfo(id, card, Bob, "Which dock?", "slack");
        var question = QuestionOf(world, id);

        var askAgain = world.Engine.RequestInfo(id, card, Bob, "And the colour?", "slack");
        var approveWhileWaiting = world.Engine.Decide(id, card, Bob, Verdict.Approve, null, "slack");
        Assert.Equal(DecideOutcome.AlreadyDecided, askAgain.Outcome);
        Assert.StartsWith("You asked Alice Adams for more information at Mon 2 Mar 08:00 UTC", askAgain.Message);
        Assert.Equal(DecideOutcome.AlreadyDecided, approveWhileWaiting.Outcome);
        Assert.Single(world.Stored(id).Steps[0].Questions);
        Assert.Null(world.Stored(id).Steps[0].Assignments[0].Decision);

        Assert.True(world.Engine.AnswerInfo(id, question, Alice, "USB-C", "slack").Recorded);
        var revision = world.Stored(id).Revision;
        var answerAgain = world.Engine.AnswerInfo(id, question, Alice, "Actually Thunderbolt", "slack");
        Assert.Equal(DecideOutcome.AlreadyDecided, answerAgain.Outcome);
        Assert.StartsWith("Already answered", answerAgain.Message);
        Assert.Equal(revision, world.Stored(id).Revision);
        Assert.Equal("USB-C", world.Stored(id).Steps[0].Questions[0].Answer);
    }

    [Fact]
    public void Unknown_instances_and_questions_are_not_found()
    {
        var (world, id, card) = Started();

        Assert.Equal(DecideOutcome.NotFound, world.Engine.RequestInfo("laptop-99", card, Bob, "?", "slack").Outcome);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.RequestInfo(id, "manager.7", Bob, "?", "slack").Outcome);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.AnswerInfo(id, "manager.q9", Alice, "!", "slack").Outcome);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.AnswerInfo("nope-1", "manager.q1", Alice, "!", "slack").Outcome);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.AnswerInfo(id, card, Alice, "an assignment is not a question", "slack").Outcome);
    }

    [Fact]
    public void Cancelling_closes_the_open_question_and_it_can_no_longer_be_answered_or_asked()
    {
        var (world, id, card) = Started();
        world.Engine.RequestInfo(id, card, Bob, "Which dock?", "slack");
        var question = QuestionOf(world, id);
        world.Store.NewEffects();

        Assert.True(world.Engine.Cancel(id, Alice, "bought one myself", "slack").Recorded);

        var closed = world.Store.NewEffects().OfType<UpdateCard>().Single(u => u.Recipient == Alice);
        Assert.Equal((CardKind.Question, CardStatus.Closed), (closed.Card.Kind, closed.Card.Status));
        Assert.Equal("No longer needed: Cancelled by Alice Adams: bought one myself", closed.Card.Outcome);
        var answer = world.Engine.AnswerInfo(id, question, Alice, "USB-C", "slack");
        Assert.Equal(DecideOutcome.AlreadyDecided, answer.Outcome);
        Assert.Contains("no longer open", answer.Message);
        Assert.Null(world.Stored(id).NextDueAt());

        var (other, otherId, otherCard) = Started();
        other.Engine.Cancel(otherId, Alice, null, "slack");
        Assert.Equal(DecideOutcome.Closed, other.Engine.RequestInfo(otherId, otherCard, Bob, "Still there?", "slack").Outcome);
    }

    [Fact]
    public void Another_approver_deciding_closes_the_question_and_the_requester_is_told_it_is_no_longer_needed()
    {
        var world = new TestWorld(Workflows.Purchase);
        var id = world.Start("purchase", Alice, ("amount", "5000"), ("item", "Car")).Id;
        world.Approve(id, Bob);
        Assert.True(world.Engine.RequestInfo(id, world.CardOf(id, Carol), Carol, "New or used?", "slack").Recorded);
        Assert.Equal([Alice, Dave], world.Stored(id).CurrentOwners());
        Assert.Equal(DecideOutcome.NotAllowed, world.Engine.RequestInfo(id, world.CardOf(id, Dave), Dave, "Which colour?", "slack").Outcome);
        world.Store.NewEffects();

        Assert.True(world.Approve(id, Dave).Recorded);

        var effects = world.Store.NewEffects().OfType<UpdateCard>().ToList();
        Assert.Contains(effects, u => u.Recipient == Alice && u.Card.Kind == CardKind.Question && u.Card.Outcome == "No longer needed: Decided by Dave Doe: approved");
        Assert.Contains(effects, u => u.Recipient == Carol && u.Card.Status == CardStatus.Approved);
        Assert.Equal(InstanceState.Completed, world.Stored(id).State);
    }

    [Fact]
    public void A_task_cannot_ask_for_information()
    {
        var world = new TestWorld(Workflows.Access);
        var id = world.Start("access", Alice, ("system", "aws")).Id;
        world.Approve(id, Carol);
        world.Approve(id, Dave);

        var result = world.Engine.RequestInfo(id, world.CardOf(id, Grace), Grace, "Which role?", "slack");

        Assert.Equal(DecideOutcome.NotAllowed, result.Outcome);
        Assert.Equal("Only an approval can ask for more information; write to Alice Adams directly.", result.Message);
    }

    private static List<(DateTimeOffset At, Effect Effect)> RunUntil(TestWorld world, string instanceId, DateTimeOffset until)
    {
        var timeline = new List<(DateTimeOffset, Effect)>();
        world.Store.NewEffects();
        for (var ticks = 0; world.Stored(instanceId).NextDueAt() is { } due && due <= until; ticks++)
        {
            Assert.True(ticks < 1000, "the instance never stops being due");
            if (due > world.Time.GetUtcNow()) world.Time.SetUtcNow(due);
            Assert.Equal(TickOutcome.Processed, world.Engine.Tick(instanceId).Outcome);
            timeline.AddRange(world.Store.NewEffects().Select(e => (world.Time.GetUtcNow(), e)));
        }
        if (world.Time.GetUtcNow() < until) world.Time.SetUtcNow(until);
        return timeline;
    }
}
