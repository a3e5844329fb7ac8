using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Engine;

// The two exceptions that send work back to the requester: an approver's question (request_info), and a rejection on a
// step with `on_reject: back-to-requester`. In both the requester holds the step until they answer or resubmit.
public sealed partial class WorkflowEngine
{
    /// <summary>Whether <paramref name="actor"/> may ask the requester a question from this card now; null when allowed, else why not.</summary>
    public DecideResult? CheckRequestInfo(string instanceId, string assignmentId, string actor) =>
        CheckOn(instanceId, change => CheckAsk(change, assignmentId, Normal(actor), question: null));

    /// <summary>
    /// The assignee asks the requester a question. Their card waits without buttons, the requester gets a card to answer,
    /// and the step's deadline and reminders stop until the answer comes.
    /// </summary>
    public DecideResult RequestInfo(string instanceId, string assignmentId, string actor, string? question, string? via)
    {
        actor = Normal(actor);
        return Mutate(instanceId,
            change => CheckAsk(change, assignmentId, actor, question ?? ""),
            change => Ask(change, assignmentId, actor, question!.Trim(), via));
    }

    /// <summary>Whether <paramref name="actor"/> may answer this question now; null when allowed, else why not.</summary>
    public DecideResult? CheckAnswer(string instanceId, string questionId, string actor) =>
        CheckOn(instanceId, change => CheckAnswerCore(change, questionId, Normal(actor), answer: null));

    /// <summary>The requester answers: the approver who asked gets a fresh card of the step with the exchange on it, and the clocks run again.</summary>
    public DecideResult AnswerInfo(string instanceId, string questionId, string actor, string? answer, string? via)
    {
        actor = Normal(actor);
        return Mutate(instanceId,
            change => CheckAnswerCore(change, questionId, actor, answer ?? ""),
            change => Answer(change, questionId, answer!.Trim(), via));
    }

    /// <summary>Whether <paramref name="actor"/> may change and resubmit (or withdraw) a request sent back to them; null when allowed.</summary>
    public DecideResult? CheckResubmit(string instanceId, string returnId, string actor) =>
        CheckOn(instanceId, change => CheckReturn(change, returnId, Normal(actor)));

    /// <summary>
    /// Everything <see cref="Resubmit"/> checks, without the change, for a form that shows its errors before it is accepted. Who
    /// may resubmit is checked first: someone else's form is refused before any field is validated, so the refusal tells
    /// nothing of the request's inputs.
    /// </summary>
    public ResubmitCheck CheckResubmit(string instanceId, string returnId, string actor, IReadOnlyDictionary<string, string> values)
    {
        var instance = store.Get(instanceId);
        if (instance is null) return new ResubmitCheck(new DecideResult(DecideOutcome.NotFound, $"There is no request {instanceId}."), null);
        return CheckResubmitForm(Begin(instance, time.GetUtcNow()), returnId, Normal(actor), values);
    }

    /// <summary>
    /// The requester resubmits a rejected step with changed inputs (validated like a start): the same step runs again, and its
    /// approvers see what changed.
    /// </summary>
    public DecideResult Resubmit(string instanceId, string returnId, string actor, IReadOnlyDictionary<string, string> values, string? via)
    {
        actor = Normal(actor);
        InputValidation? validation = null;
        return Mutate(instanceId,
            change =>
            {
                var check = CheckResubmitForm(change, returnId, actor, values);
                validation = check.Validation;
                if (check.Refusal is { } refusal) return refusal;
                var problems = validation!.Errors.Select(e => e.Message)
                    .Concat(validation.MissingRequired.Select(m => $"{m.Label} is required"))
                    .ToList();
                return problems.Count == 0
                    ? null
                    : new DecideResult(DecideOutcome.InvalidInputs, $"{string.Join("; ", problems)}. Nothing was resubmitted.");
            },
            change => Resubmitted(change, returnId, actor, validation!.Values, via));
    }

    private static ResubmitCheck CheckResubmitForm(Change change, string returnId, string actor, IReadOnlyDictionary<string, string> values) =>
        CheckReturn(change, returnId, actor) is { } refusal
            ? new ResubmitCheck(refusal, null)
            : new ResubmitCheck(null, InputValidator.Validate(change.Instance.Definition, values));

    /// <summary>The requester withdraws a request that was sent back to them: it is cancelled.</summary>
    public DecideResult Withdraw(string instanceId, string returnId, string actor, string? via)
    {
        actor = Normal(actor);
        if (CheckResubmit(instanceId, returnId, actor) is { } refusal) return refusal;
        return Cancel(instanceId, actor, "withdrawn after the rejection", via);
    }

    private static string Normal(string email) => email.Trim().ToLowerInvariant();

    private DecideResult? CheckOn(string instanceId, Func<Change, DecideResult?> check)
    {
        var instance = store.Get(instanceId);
        if (instance is null) return new DecideResult(DecideOutcome.NotFound, $"There is no request {instanceId}.");
        return check(Begin(instance, time.GetUtcNow()));
    }

    // ---- questions ----------------------------------------------------------------------------------------------

    /// <summary>The usual decision checks (assignee, open, not waiting already), then those of a question; null <paramref name="question"/> skips the text.</summary>
    private static DecideResult? CheckAsk(Change change, string assignmentId, string actor, string? question)
    {
        var instance = change.Instance;
        if (CheckDecision(change, assignmentId, actor, Verdict.Approve, null) is { } refusal)
        {
            return refusal.Outcome == DecideOutcome.NotAllowed
                ? new DecideResult(DecideOutcome.NotAllowed, $"Only an approval can ask for more information; write to {change.Name(instance.Requester)} directly.")
                : refusal;
        }
        var (run, _) = instance.FindAssignment(assignmentId)!.Value;
        if (string.Equals(actor, instance.Requester, StringComparison.OrdinalIgnoreCase))
            return new DecideResult(DecideOutcome.NotAllowed, "You made this request yourself, so there is nobody to ask. Nothing was changed.");
        if (run.OpenQuestion is { } other)
            return new DecideResult(DecideOutcome.NotAllowed,
                $"{change.Name(instance.Requester)} is already answering a question from {change.Name(other.AskedBy)}; ask once it is answered. Nothing was changed.");
        return question is null ? null : CheckText("The question", question, TextLimits.Question, $"Write a question for {change.Name(instance.Requester)}; nothing was sent.");
    }

    private static DecideResult? CheckText(string what, string text, int limit, string whenBlank) =>
        string.IsNullOrWhiteSpace(text) ? new DecideResult(DecideOutcome.TextRequired, whenBlank) : TooLong(what, text.Trim(), limit);

    /// <summary>Refuses a decision on a card whose owner asked a question and now waits for the answer.</summary>
    private static DecideResult? WaitingForAnswer(Change change, StepRun run, Assignment assignment)
    {
        if (run.OpenQuestion is not { } question || question.AssignmentId != assignment.Id) return null;
        return new DecideResult(DecideOutcome.AlreadyDecided,
            $"You asked {change.Name(change.Instance.Requester)} for more information at {change.TimeFor(assignment.Assignee, question.AskedAt)}; "
            + "their answer will come to you on a fresh card. Nothing was changed.",
            change.Instance);
    }

    /// <summary>How a card reads while its owner waits for the requester's answer; null when it does not wait.</summary>
    private static string? WaitingOutcome(Change change, StepRun run, Assignment assignment) =>
        run.OpenQuestion is { } question && question.AssignmentId == assignment.Id
            ? $"Waiting for {change.Name(change.Instance.Requester)}'s answer · asked {change.TimeFor(assignment.Assignee, question.AskedAt)}"
            : null;

    private static string Ask(Change change, string assignmentId, string actor, string question, string? via)
    {
        var instance = change.Instance;
        var (run, assignment) = instance.FindAssignment(assignmentId)!.Value;
        var step = change.Definition(run);
        var now = change.Now;
        var info = new InfoRequest
        {
            Id = $"{run.StepId}.q{run.Questions.Count + 1}",
            AssignmentId = assignment.Id,
            AskedBy = actor,
            AskedAt = now,
            Question = question,
            AskedVia = via,
            // The step's clocks stop while the requester holds it: what is left is kept and given back with the answer.
            DueLeft = run.DueAt is { } due && !run.OverdueHandled ? due - now : null,
            NextRemindAt = step.Remind is { } every ? now + every : null,
        };
        foreach (var a in run.Assignments.Where(a => a.IsOpen && a.NextRemindAt is not null))
        {
            info.RemindLeft[a.Id] = a.NextRemindAt!.Value - now;
            a.NextRemindAt = null;
        }
        if (info.DueLeft is not null) run.MoveDeadline(null);
        run.Questions.Add(info);

        var requester = change.Name(instance.Requester);
        instance.History.Add(new InstanceEvent(now, EventKind.InfoRequested, actor, run.StepId, $"{change.Name(actor)} asked {requester}: {question}", via));
        RedrawOpenCards(change, run, step);
        change.Add(new AskDecision { Recipient = instance.Requester, InstanceId = instance.Id, Card = QuestionCard(change, run, info, CardStatus.Open, null) });
        return $"Asked {requester}. Their answer will come to you on a fresh card of {instance.Id}.";
    }

    private static DecideResult? CheckAnswerCore(Change change, string questionId, string actor, string? answer)
    {
        var instance = change.Instance;
        if (FindQuestion(instance, questionId) is not var (_, question))
            return new DecideResult(DecideOutcome.NotFound, $"That question does not belong to {instance.Id}. Nothing was changed.");
        if (!string.Equals(actor, instance.Requester, StringComparison.OrdinalIgnoreCase))
            return new DecideResult(DecideOutcome.NotAllowed,
                $"Only {change.Name(instance.Requester)}, who made the request, can answer this question. Nothing was changed.");
        if (question.AnsweredAt is { } at)
            return new DecideResult(DecideOutcome.AlreadyDecided, $"Already answered: you answered at {change.TimeFor(actor, at)}.", instance);
        if (question.ClosedReason is { } why)
            return new DecideResult(DecideOutcome.AlreadyDecided, $"This question is no longer open: {why}.", instance);
        if (!instance.IsOpen)
            return new DecideResult(DecideOutcome.Closed, $"{instance.Id} is already {instance.State.ToString().ToLowerInvariant()}.", instance);
        return answer is null ? null : CheckText("The answer", answer, TextLimits.Answer, $"Write an answer for {change.Name(question.AskedBy)}; nothing was sent.");
    }

    private static string Answer(Change change, string questionId, string answer, string? via)
    {
        var instance = change.Instance;
        var (run, question) = FindQuestion(instance, questionId)!.Value;
        var step = change.Definition(run);
        var now = change.Now;
        question.Answered(answer, now, via);

        // The clocks resume with what was left when the question was asked, not a fresh full period: the requester's time
        // to answer is not the approver's time to decide, yet a question must not become a way to push a deadline out.
        if (question.DueLeft is { } left) run.MoveDeadline(now + left);
        foreach (var a in run.Assignments.Where(a => a.IsOpen))
            if (question.RemindLeft.TryGetValue(a.Id, out var remaining)) a.NextRemindAt = now + remaining;

        var requester = change.Name(instance.Requester);
        instance.History.Add(new InstanceEvent(now, EventKind.InfoAnswered, instance.Requester, run.StepId, $"{requester} answered {change.Name(question.AskedBy)}: {answer}", via));
        change.Add(new UpdateCard
        {
            Recipient = instance.Requester,
            InstanceId = instance.Id,
            Card = QuestionCard(change, run, question, CardStatus.Done, $"Answered · {change.TimeFor(instance.Requester, now)}"),
        });

        // The asker's waiting card says where the work went, then a fresh card of the step comes to them with the answer on it.
        var asker = run.Assignments.FirstOrDefault(a => a.Id == question.AssignmentId && a.IsOpen);
        if (asker is not null)
        {
            change.UpdateCard(run, asker, CardStatus.Closed, $"{requester} answered · {change.TimeFor(asker.Assignee, now)}: the card is posted again below", null, null);
            change.Add(new AskDecision { Recipient = asker.Assignee, InstanceId = instance.Id, Card = change.Card(run, asker, CardStatus.Open, null, null, ProgressIfStarted(step, run)) });
        }
        RedrawOpenCards(change, run, step, except: asker);
        return asker is null
            ? $"Thanks, your answer is recorded on {instance.Id}."
            : $"Sent your answer to {change.Name(asker.Assignee)}.";
    }

    /// <summary>Other open cards of the step show the exchange and the deadline as they now stand.</summary>
    private static void RedrawOpenCards(Change change, StepRun run, StepDefinition step, Assignment? except = null)
    {
        foreach (var a in run.Assignments.Where(a => a.IsOpen && a != except))
            change.UpdateCard(run, a, CardStatus.Open, null, null, ProgressIfStarted(step, run));
    }

    private static string? ProgressIfStarted(StepDefinition step, StepRun run) =>
        run.Assignments.Any(a => a.Decision is not null) ? Progress(step, run) : null;

    private static int RemindToAnswer(Change change, StepRun run, StepDefinition step)
    {
        if (run.OpenQuestion is not { NextRemindAt: { } at } question || at > change.Now) return 0;
        var instance = change.Instance;
        var now = change.Now;
        var zone = change.People.ZoneOf(instance.Requester);
        if (instance.Definition.BusinessHours is { } hours && !hours.IsWithin(now, zone))
        {
            question.NextRemindAt = hours.NextWorkingMoment(now, zone);
            return 0;
        }
        change.Add(new RemindPerson
        {
            Recipient = instance.Requester,
            InstanceId = instance.Id,
            AssignmentId = question.Id,
            Text = $"⏰ Reminder: {change.Name(question.AskedBy)} has waited {Durations.Format(Round(now - question.AskedAt))} for your answer about "
                + $"{instance.Title(step, change.Name(instance.Requester))} ({instance.Id}): “{question.Question}”",
        });
        instance.History.Add(new InstanceEvent(now, EventKind.Nudged, null, run.StepId,
            $"Nudged {change.Name(instance.Requester)} to answer {change.Name(question.AskedBy)}"));
        question.NextRemindAt = step.Remind is { } every ? now + every : null;
        return 1;
    }

    private static (StepRun Run, InfoRequest Question)? FindQuestion(WorkflowInstance instance, string questionId)
    {
        foreach (var run in instance.Steps)
            foreach (var q in run.Questions)
                if (q.Id == questionId) return (run, q);
        return null;
    }

    // ---- back to the requester --------------------------------------------------------------------------------

    /// <summary>A rejection on a back-to-requester step: nothing closes; the requester may change the inputs and resubmit, or withdraw.</summary>
    private static void ReturnToRequester(Change change, StepRun run, StepDefinition step, string? rejectedBy, string? comment)
    {
        var instance = change.Instance;
        var now = change.Now;
        var requester = change.Name(instance.Requester);
        var because = string.IsNullOrEmpty(comment) ? "" : $": {comment}";
        var rejected = rejectedBy is null ? "the quorum can no longer be reached" : $"rejected by {change.Name(rejectedBy)}{because}";
        run.ReturnToRequester($"{rejected}; back with {requester} to change and resubmit");
        CloseOpenAssignments(change, run, $"Rejected: {rejected}", CardStatus.Rejected, comment);

        var back = new StepReturn
        {
            Id = $"{run.StepId}.r{run.Returns.Count + 1}",
            At = now,
            RejectedBy = rejectedBy,
            Reason = rejectedBy is null ? rejected : comment ?? rejected,
        };
        run.Returns.Add(back);
        instance.History.Add(new InstanceEvent(now, EventKind.StepRejected, rejectedBy, run.StepId, $"Step {step.Id} {rejected}"));
        instance.History.Add(new InstanceEvent(now, EventKind.ReturnedToRequester, rejectedBy, run.StepId, $"Back with {requester} to change and resubmit"));
        change.Add(new AskDecision { Recipient = instance.Requester, InstanceId = instance.Id, Card = ResubmitCard(change, run, back, CardStatus.Open, null) });
    }

    private static DecideResult? CheckReturn(Change change, string returnId, string actor)
    {
        var instance = change.Instance;
        var run = instance.Steps.FirstOrDefault(s => s.Returns.Any(r => r.Id == returnId));
        if (run is null) return new DecideResult(DecideOutcome.NotFound, $"That card does not belong to {instance.Id}. Nothing was changed.");
        var back = run.Returns.Single(r => r.Id == returnId);
        if (!string.Equals(actor, instance.Requester, StringComparison.OrdinalIgnoreCase))
            return new DecideResult(DecideOutcome.NotAllowed,
                $"Only {change.Name(instance.Requester)}, who made the request, can change and resubmit it. Nothing was changed.");
        if (back.ResubmittedAt is { } at)
            return new DecideResult(DecideOutcome.AlreadyDecided, $"Already resubmitted at {change.TimeFor(actor, at)}.", instance);
        if (!instance.IsOpen)
            return new DecideResult(DecideOutcome.Closed, $"{instance.Id} is already {instance.State.ToString().ToLowerInvariant()}.", instance);
        if (back.ClosedReason is { } why || run != instance.Current || run.State != StepState.Returned)
            return new DecideResult(DecideOutcome.AlreadyDecided, $"This request no longer waits for a resubmission{(back.ClosedReason is { } w ? $": {w}" : "")}.", instance);
        return null;
    }

    private static string Resubmitted(Change change, string returnId, string actor, IReadOnlyDictionary<string, string> values, string? via)
    {
        var instance = change.Instance;
        var run = instance.Current!;
        var back = run.Returns.Single(r => r.Id == returnId);
        var now = change.Now;
        var changes = instance.Definition.Inputs
            .Select(i => new InputChange(i.Label, Shown(change, i, instance.Inputs.GetValueOrDefault(i.Id)), Shown(change, i, values.GetValueOrDefault(i.Id))))
            .Where(c => c.Before != c.After)
            .ToList();
        back.Resubmitted(now);
        instance.Inputs.Clear();
        foreach (var (key, value) in values) instance.Inputs[key] = value;
        // The same step runs again from the start: its earlier round stays for status, its clocks and escalations start over.
        run.Reopen(changes);

        var what = changes.Count == 0 ? "resubmitted without changes" : $"changed {string.Join(", ", changes.Select(c => $"{c.Label}: {Or(c.Before)} → {Or(c.After)}"))} and resubmitted";
        instance.History.Add(new InstanceEvent(now, EventKind.Resubmitted, actor, run.StepId, $"{change.Name(actor)} {what}", via));
        change.Add(new UpdateCard
        {
            Recipient = instance.Requester,
            InstanceId = instance.Id,
            Card = ResubmitCard(change, run, back, CardStatus.Done, $"Resubmitted · {change.TimeFor(actor, now)}"),
        });

        instance.MoveTo(instance.Steps.IndexOf(run) - 1);
        Advance(change);
        return $"Resubmitted {instance.Id}.";
    }

    private static string Shown(Change change, InputDefinition input, string? value) =>
        value is null ? "" : input.Type == InputType.Person ? change.Name(value) : value;

    private static string Or(string value) => value.Length == 0 ? "(empty)" : value;

    // ---- cards ----------------------------------------------------------------------------------------------------

    /// <summary>When a step closes (decided, cancelled, timed out) a question or rejection still with the requester is closed too.</summary>
    private static void CloseRequesterCards(Change change, StepRun run, string outcome)
    {
        var instance = change.Instance;
        if (run.Questions.LastOrDefault(q => q.IsOpen) is { } question)
        {
            question.Close(outcome);
            change.Add(new UpdateCard
            {
                Recipient = instance.Requester,
                InstanceId = instance.Id,
                Card = QuestionCard(change, run, question, CardStatus.Closed, $"No longer needed: {outcome}"),
            });
        }
        if (run.Returns.LastOrDefault(r => r.IsOpen) is { } back && run.State != StepState.Returned)
        {
            back.Close(outcome);
            change.Add(new UpdateCard { Recipient = instance.Requester, InstanceId = instance.Id, Card = ResubmitCard(change, run, back, CardStatus.Closed, outcome) });
        }
    }

    private static CardModel QuestionCard(Change change, StepRun run, InfoRequest question, CardStatus status, string? outcome) =>
        RequesterCard(change, run, question.Id, CardKind.Question, status, outcome) with
        {
            Title = $"{change.Name(question.AskedBy)} asks about {change.Instance.Title(change.Definition(run), change.Name(change.Instance.Requester))}",
            // Earlier answered questions of the step, then this one.
            Exchanges = run.Questions.Take(run.Questions.IndexOf(question) + 1)
                .Where(q => q == question || q.Answer is not null)
                .Select(q => Exchange(change.Instance, q, change.People))
                .ToList(),
        };

    private static CardModel ResubmitCard(Change change, StepRun run, StepReturn back, CardStatus status, string? outcome)
    {
        var instance = change.Instance;
        var by = back.RejectedBy is { } who ? change.Name(who) : "The approvers";
        return RequesterCard(change, run, back.Id, CardKind.Resubmit, status, outcome) with
        {
            Title = $"{by} rejected {instance.Title(change.Definition(run), change.Name(instance.Requester))}",
            Reason = back.Reason,
            Changes = status == CardStatus.Open ? [] : ChangesOf(run),
            Form = status == CardStatus.Open ? new CardForm(instance.Definition.Inputs, new Dictionary<string, string>(instance.Inputs)) : null,
        };
    }

    /// <summary>A card for the requester about a step (a question to answer, a rejection to act on).</summary>
    private static CardModel RequesterCard(Change change, StepRun run, string id, CardKind kind, CardStatus status, string? outcome)
    {
        var instance = change.Instance;
        return new CardModel
        {
            InstanceId = instance.Id,
            AssignmentId = id,
            StepId = run.StepId,
            Kind = kind,
            Title = instance.Title(change.Definition(run), change.Name(instance.Requester)),
            WorkflowName = instance.Definition.Name,
            RequestedBy = change.Name(instance.Requester),
            Fields = instance.Definition.Inputs
                .Where(i => instance.Inputs.ContainsKey(i.Id))
                .Select(i => new CardField(i.Label, Shown(change, i, instance.Inputs[i.Id])))
                .ToList(),
            Status = status,
            Outcome = outcome,
        };
    }

    private static IReadOnlyList<CardExchange> ExchangesOf(WorkflowInstance instance, StepRun run, PeopleDirectory people) =>
        run.Questions
            .Where(q => q.Answer is not null || q.IsOpen)
            .Select(q => Exchange(instance, q, people))
            .ToList();

    private static CardExchange Exchange(WorkflowInstance instance, InfoRequest q, PeopleDirectory people) =>
        new(people.NameOf(q.AskedBy), q.Question, q.Answer is null ? null : people.NameOf(instance.Requester), q.Answer);

    private static IReadOnlyList<CardChange> ChangesOf(StepRun run) =>
        run.Changes.Select(c => new CardChange(c.Label, Or(c.Before), Or(c.After))).ToList();
}
