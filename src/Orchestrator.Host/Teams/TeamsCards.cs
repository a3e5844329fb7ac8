using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Teams;

/// <summary>Draws the engine's platform-neutral cards and start forms as Adaptive Cards.</summary>
internal static class TeamsCards
{
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string RequestInfo = "request_info";
    public const string Done = "done";
    public const string Start = "start";
    public const string ReasonInput = "reason";
    public const string InstanceKey = "instanceId";
    public const string AssignmentKey = "assignmentId";
    public const string WorkflowKey = "workflow";

    public static AdaptiveCard Render(CardModel card, TimeZoneInfo zone, string? notice = null)
    {
        if (card.Kind is CardKind.Question or CardKind.Resubmit) return TeamsInfoCards.Render(card, zone, notice);
        var body = new List<CardElement>();
        if (notice is not null) body.Add(new TextBlock(notice) { Color = "Warning", Weight = "Bolder" });
        body.Add(new TextBlock(card.Title) { Size = "Large", Weight = "Bolder" });
        body.Add(new TextBlock($"{card.WorkflowName} · {card.InstanceId} · requested by {card.RequestedBy}"
            + (card.OnBehalfOf is { } absent ? $" · on behalf of {absent}" : "")) { IsSubtle = true, Spacing = "None" });
        if (card.Fields.Count > 0) body.Add(Facts(card));
        body.AddRange(TeamsInfoCards.ExchangeElements(card));

        var context = new List<string>();
        if (card.DueAt is { } due && card.Status == CardStatus.Open) context.Add($"Due {TimeText.Format(due, zone)}");
        if (card.Progress is { } progress) context.Add(progress);
        if (context.Count > 0) body.Add(new TextBlock(string.Join(" · ", context)) { IsSubtle = true });

        if (card.Status != CardStatus.Open)
        {
            var icon = card.Status switch
            {
                CardStatus.Approved or CardStatus.Done => "✅",
                CardStatus.Rejected => "❌",
                CardStatus.Waiting => "⏳",
                _ => "⏹️",
            };
            var outcome = CardText.Clip(card.Outcome ?? card.Status.ToString(), CardText.Reason, CardText.More(card.InstanceId));
            body.Add(new TextBlock($"{icon} {outcome}") { Weight = "Bolder", Separator = true });
            if (!string.IsNullOrWhiteSpace(card.Reason))
                body.Add(new TextBlock($"Reason: {CardText.Clip(card.Reason, CardText.Reason, CardText.More(card.InstanceId))}") { Spacing = "Small" });
            return new AdaptiveCard(body) { FallbackText = $"{card.Title} ({card.InstanceId}): {CardText.Clip(card.Outcome ?? card.Status.ToString(), 300)}" };
        }

        var data = new JsonObject { [InstanceKey] = card.InstanceId, [AssignmentKey] = card.AssignmentId };
        IReadOnlyList<CardAction> actions;
        if (card.Kind == CardKind.Task)
        {
            actions = [new ExecuteAction("Done", Done, data.DeepClone().AsObject()) { Style = "positive", AssociatedInputs = "none" }];
        }
        else
        {
            // Only reject carries the card's inputs, so the required reason blocks reject alone, never approve.
            body.Add(new InputText(ReasonInput)
            {
                Label = "Reason (needed to reject)",
                Placeholder = "Why is this rejected?",
                IsMultiline = true,
                IsRequired = true,
                MaxLength = TextLimits.Comment,
                ErrorMessage = "A reason is required to reject.",
                Separator = true,
            });
            actions =
            [
                new ExecuteAction("Approve", Approve, data.DeepClone().AsObject()) { Style = "positive", AssociatedInputs = "none" },
                new ExecuteAction("Reject", Reject, data.DeepClone().AsObject()) { Style = "destructive", AssociatedInputs = "auto" },
                new ExecuteAction("Ask for info", RequestInfo, data.DeepClone().AsObject()) { AssociatedInputs = "none" },
            ];
        }
        var kind = card.Kind == CardKind.Task ? "Task" : "Approval needed";
        return new AdaptiveCard(body, actions) { FallbackText = $"{kind}: {card.Title} ({card.InstanceId})" };
    }

    /// <summary>The inputs as facts, each value cut to fit the card.</summary>
    public static FactSet Facts(CardModel card) =>
        new(card.Fields.Select(f => new Fact(CardText.Clip(f.Label, 200), CardText.Clip(f.Value, CardText.Value, CardText.More(card.InstanceId)))).ToList());

    /// <summary>The form for a start command that lacks required inputs, pre-filled with what was given.</summary>
    public static AdaptiveCard StartForm(StartForm form, string? notice = null)
    {
        var definition = form.Definition;
        var body = new List<CardElement>();
        if (notice is not null) body.Add(new TextBlock(notice) { Color = "Attention" });
        body.Add(new TextBlock($"Start {definition.Name}") { Size = "Large", Weight = "Bolder" });
        body.Add(new TextBlock($"Fill in {string.Join(", ", form.Missing.Select(m => m.Label))}.") { IsSubtle = true, Spacing = "None" });
        foreach (var input in definition.Inputs)
            body.Add(Input(input, form.Values.TryGetValue(input.Id, out var v) ? v : null));
        var action = new ExecuteAction("Start", Start, new JsonObject { [WorkflowKey] = definition.Id }) { Style = "positive", AssociatedInputs = "auto" };
        return new AdaptiveCard(body, [action]) { FallbackText = $"{definition.Name} needs {string.Join(", ", form.Missing.Select(m => m.Id))}." };
    }

    internal static CardInput Input(InputDefinition input, string? value)
    {
        var error = $"{input.Label} is required.";
        return input.Type switch
        {
            InputType.Number => new InputNumber(input.Id)
            {
                Label = input.Label,
                IsRequired = input.Required,
                ErrorMessage = error,
                Value = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null,
            },
            InputType.Date => new InputDate(input.Id) { Label = input.Label, IsRequired = input.Required, ErrorMessage = error, Value = value },
            InputType.Choice => new InputChoiceSet(input.Id, input.Options.Select(o => new Choice(o, o)).ToList())
            {
                Label = input.Label,
                IsRequired = input.Required,
                ErrorMessage = error,
                Value = value,
            },
            InputType.Person => new InputText(input.Id)
            {
                Label = input.Label,
                IsRequired = input.Required,
                ErrorMessage = error,
                Placeholder = "name@example.com",
                Value = value,
                MaxLength = TextLimits.Input,
            },
            _ => new InputText(input.Id) { Label = input.Label, IsRequired = input.Required, ErrorMessage = error, Value = value, MaxLength = TextLimits.Input },
        };
    }
}
