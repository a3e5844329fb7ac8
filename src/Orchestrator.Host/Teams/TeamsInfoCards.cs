using System.Text.Json.Nodes;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using static Orchestrator.Host.Teams.TeamsCards;

namespace Orchestrator.Host.Teams;

/// <summary>
/// Adaptive Cards for the work that goes back to the requester: the approver's question form, the requester's question card
/// with an answer input, and the form to change and resubmit a rejected request.
/// </summary>
internal static class TeamsInfoCards
{
    public const string AnswerInfo = "answer_info";
    public const string Resubmit = "resubmit";
    public const string Withdraw = "withdraw";

    /// <summary>Draws a card as it last stood again, e.g. to leave the question form unsent.</summary>
    public const string Refresh = "refresh";
    public const string QuestionInput = "question";
    public const string AnswerInput = "answer";

    public static bool IsVerb(string verb) => verb is RequestInfo or AnswerInfo or Resubmit or Withdraw or Refresh;

    /// <summary>A question card (to answer) or a resubmit card (to change and resubmit, or withdraw).</summary>
    public static AdaptiveCard Render(CardModel card, TimeZoneInfo zone, string? notice = null)
    {
        var open = card.Status == CardStatus.Open;
        var body = Heading(card, notice);
        // An open resubmit card shows the inputs as a form below, not as facts.
        if (card.Fields.Count > 0 && !(open && card.Form is not null)) body.Add(Facts(card));
        if (card.Kind == CardKind.Resubmit && !string.IsNullOrWhiteSpace(card.Reason))
            body.Add(new TextBlock($"Reason: {CardText.Clip(card.Reason, CardText.Reason, CardText.More(card.InstanceId))}") { Weight = "Bolder" });
        body.AddRange(ExchangeElements(card));

        if (!open)
        {
            var icon = card.Status == CardStatus.Done ? "✅" : "⏹️";
            body.Add(new TextBlock($"{icon} {CardText.Clip(card.Outcome ?? card.Status.ToString(), CardText.Reason, CardText.More(card.InstanceId))}") { Weight = "Bolder", Separator = true });
            return new AdaptiveCard(body) { FallbackText = $"{card.Title} ({card.InstanceId}): {CardText.Clip(card.Outcome ?? card.Status.ToString(), 300)}" };
        }

        var data = new JsonObject { [InstanceKey] = card.InstanceId, [AssignmentKey] = card.AssignmentId };
        if (card.Kind == CardKind.Question)
        {
            body.Add(new InputText(AnswerInput)
            {
                Label = "Your answer",
                IsMultiline = true,
                IsRequired = true,
                MaxLength = TextLimits.Answer,
                ErrorMessage = "Write an answer.",
                Separator = true,
            });
            return new AdaptiveCard(body, [new ExecuteAction("Send answer", AnswerInfo, data) { Style = "positive", AssociatedInputs = "auto" }])
            {
                FallbackText = $"Question: {CardText.Clip(card.Exchanges.LastOrDefault()?.Question ?? card.Title, 300)} ({card.InstanceId})",
            };
        }

        body.Add(new TextBlock("Change what is needed and resubmit; the approver will see what changed.") { IsSubtle = true, Separator = true });
        foreach (var input in card.Form?.Inputs ?? [])
            body.Add(Input(input, card.Form!.Values.TryGetValue(input.Id, out var v) ? v : null));
        return new AdaptiveCard(body,
        [
            new ExecuteAction("Resubmit", Resubmit, data.DeepClone().AsObject()) { Style = "positive", AssociatedInputs = "auto" },
            new ExecuteAction("Withdraw", Withdraw, data.DeepClone().AsObject()) { Style = "destructive", AssociatedInputs = "none" },
        ])
        {
            FallbackText = $"Rejected, back with you: {card.Title} ({card.InstanceId})",
        };
    }

    /// <summary>The approver's card with a question to the requester to fill in, in place of its buttons.</summary>
    public static AdaptiveCard QuestionForm(CardModel card, string? notice = null)
    {
        var body = Heading(card, notice);
        if (card.Fields.Count > 0) body.Add(Facts(card));
        body.AddRange(ExchangeElements(card));
        body.Add(new InputText(QuestionInput)
        {
            Label = $"Question for {card.RequestedBy}",
            Placeholder = "What do you need to know?",
            IsMultiline = true,
            IsRequired = true,
            MaxLength = TextLimits.Question,
            ErrorMessage = "Write a question.",
            Separator = true,
        });
        body.Add(new TextBlock("Your card waits for the answer; the deadline and reminders pause meanwhile.") { IsSubtle = true, Spacing = "Small" });
        var data = new JsonObject { [InstanceKey] = card.InstanceId, [AssignmentKey] = card.AssignmentId };
        return new AdaptiveCard(body,
        [
            new ExecuteAction("Send question", RequestInfo, data.DeepClone().AsObject()) { Style = "positive", AssociatedInputs = "auto" },
            new ExecuteAction("Back", Refresh, data.DeepClone().AsObject()) { AssociatedInputs = "none" },
        ])
        {
            FallbackText = $"Ask {card.RequestedBy} about {card.Title} ({card.InstanceId})",
        };
    }

    /// <summary>The questions and answers of a step, and what the requester changed on resubmitting; drawn on every kind of card.</summary>
    public static IEnumerable<CardElement> ExchangeElements(CardModel card)
    {
        var more = CardText.More(card.InstanceId);
        if (card.Changes.Count > 0)
        {
            yield return new TextBlock("What changed") { Weight = "Bolder", Separator = true };
            yield return new FactSet(card.Changes.Select(c => new Fact(c.Label, $"{CardText.Clip(c.Before, 300)} → {CardText.Clip(c.After, 300)}")).ToList());
        }
        var skipped = Math.Max(0, card.Exchanges.Count - CardText.Exchanges);
        if (skipped > 0)
            yield return new TextBlock($"{skipped} earlier question{(skipped == 1 ? "" : "s")} and answers: status {card.InstanceId}") { IsSubtle = true, Separator = true };
        foreach (var e in card.Exchanges.Skip(skipped))
        {
            yield return new TextBlock($"{e.AskedBy} asked: {CardText.Clip(e.Question, CardText.Value, more)}") { Separator = true };
            if (e.Answer is { } answer) yield return new TextBlock($"{e.AnsweredBy} answered: {CardText.Clip(answer, CardText.Value, more)}") { Spacing = "Small", Weight = "Bolder" };
        }
    }

    private static List<CardElement> Heading(CardModel card, string? notice)
    {
        var body = new List<CardElement>();
        if (notice is not null) body.Add(new TextBlock(notice) { Color = "Warning", Weight = "Bolder" });
        body.Add(new TextBlock(card.Title) { Size = "Large", Weight = "Bolder" });
        body.Add(new TextBlock($"{card.WorkflowName} · {card.InstanceId} · requested by {card.RequestedBy}") { IsSubtle = true, Spacing = "None" });
        return body;
    }
}
