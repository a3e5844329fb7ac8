using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Slack;

/// <summary>Draws the engine's platform-neutral cards and forms as Block Kit.</summary>
internal static class SlackCards
{
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string RequestInfo = "request_info";
    public const string Done = "done";
    public const string RejectReasonCallback = "reject_reason";
    public const string StartFormCallback = "start_form";
    public const string ReasonBlock = "reason";

    public static (string Text, IReadOnlyList<Block> Blocks) Render(CardModel card, TimeZoneInfo zone)
    {
        if (card.Kind is CardKind.Question or CardKind.Resubmit) return SlackInfoCards.Render(card, zone);
        var blocks = new List<Block>
        {
            new HeaderBlock(new PlainText(Truncate(card.Title, 150))),
            new SectionBlock(new Markdown($"*{Escape(card.WorkflowName)}* · `{card.InstanceId}` · requested by {Escape(card.RequestedBy)}"
                + (card.OnBehalfOf is { } absent ? $" · on behalf of {Escape(absent)}" : ""))),
        };
        foreach (var chunk in card.Fields.Chunk(10))
            blocks.Add(new SectionBlock(Fields: chunk.Select(f => (TextObject)new Markdown($"*{Escape(f.Label)}*\n{Escape(f.Value)}")).ToList()));
        blocks.AddRange(SlackInfoCards.ExchangeBlocks(card));

        var context = new List<string>();
        if (card.DueAt is { } due && card.Status == CardStatus.Open) context.Add($"Due {TimeText.Format(due, zone)}");
        if (card.Progress is { } progress) context.Add(progress);
        if (context.Count > 0) blocks.Add(new ContextBlock([new Markdown(string.Join(" · ", context))]));

        string text;
        if (card.Status == CardStatus.Open)
        {
            blocks.Add(new ActionsBlock(DecisionButtons(card.Kind == CardKind.Task, ButtonValue(card.InstanceId, card.AssignmentId)), BlockId: $"decide:{card.AssignmentId}"));
            text = $"{(card.Kind == CardKind.Task ? "Task" : "Approval needed")}: {card.Title} ({card.InstanceId})";
        }
        else
        {
            var icon = card.Status switch
            {
                CardStatus.Approved or CardStatus.Done => "✅",
                CardStatus.Rejected => "❌",
                CardStatus.Waiting => "⏳",
                _ => "⏹️",
            };
            var outcome = $"{icon} *{Escape(card.Outcome ?? card.Status.ToString())}*";
            if (!string.IsNullOrWhiteSpace(card.Reason)) outcome += $"\n>{Escape(card.Reason)}";
            blocks.Add(new SectionBlock(new Markdown(outcome)));
            text = $"{card.Title} ({card.InstanceId}): {card.Outcome ?? card.Status.ToString()}";
        }
        return (text, blocks);
    }

    /// <summary>The buttons that answer an assignment, on its card and on the App Home alike.</summary>
    public static IReadOnlyList<BlockElement> DecisionButtons(bool task, string value) => task
        ? [new ButtonElement(Done, new PlainText("Done"), value, ButtonStyle.Primary)]
        :
        [
            new ButtonElement(Approve, new PlainText("Approve"), value, ButtonStyle.Primary),
            new ButtonElement(Reject, new PlainText("Reject"), value, ButtonStyle.Danger),
            new ButtonElement(RequestInfo, new PlainText("Ask for info"), value),
        ];

    public static string ButtonValue(string instanceId, string assignmentId) => $"{instanceId}|{assignmentId}";

    public static bool TryParseButtonValue(string? value, out string instanceId, out string assignmentId)
    {
        instanceId = assignmentId = "";
        var parts = value?.Split('|');
        if (parts is not { Length: 2 } || parts[0].Length is 0 or > 100 || parts[1].Length is 0 or > 100) return false;
        (instanceId, assignmentId) = (parts[0], parts[1]);
        return true;
    }

    public static ModalView RejectReasonModal(string instanceId, string assignmentId, string title) => new(
        new PlainText("Reject"),
        [
            new SectionBlock(new Markdown($"Rejecting *{Escape(title)}* (`{instanceId}`). The requester will see your reason.")),
            new InputBlock(new PlainText("Reason"), new PlainTextInputElement(ReasonBlock, Multiline: true), BlockId: ReasonBlock),
        ],
        CallbackId: RejectReasonCallback,
        PrivateMetadata: ButtonValue(instanceId, assignmentId),
        Submit: new PlainText("Reject"),
        Close: new PlainText("Cancel"));

    /// <summary>A modal asking for every input of a workflow, prefilled with what the command already gave.</summary>
    public static ModalView StartForm(WorkflowDefinition definition, IReadOnlyDictionary<string, string> values) => new(
        new PlainText(Truncate(definition.Name, 24)),
        definition.Inputs.Select(input => (Block)new InputBlock(
            new PlainText(Truncate(input.Label, 2000)),
            Element(input, values.GetValueOrDefault(input.Id)),
            BlockId: input.Id,
            Optional: !input.Required)).ToList(),
        CallbackId: StartFormCallback,
        PrivateMetadata: definition.Id,
        Submit: new PlainText("Start"),
        Close: new PlainText("Cancel"));

    private static BlockElement Element(InputDefinition input, string? value) => input.Type switch
    {
        InputType.Number => new NumberInputElement(input.Id, IsDecimalAllowed: true, InitialValue: value),
        InputType.Date => new DatePickerElement(input.Id, DateOnly.TryParseExact(value, "yyyy-MM-dd", out var d) ? d : null),
        InputType.Choice => new StaticSelectElement(
            input.Id,
            input.Options.Select(o => new SelectOption(new PlainText(o), o)).ToList(),
            value is null ? null : new SelectOption(new PlainText(value), value)),
        InputType.Person => new PlainTextInputElement(input.Id, InitialValue: value, Placeholder: new PlainText("name@example.com")),
        _ => new PlainTextInputElement(input.Id, InitialValue: value),
    };

    /// <summary>Slack's mrkdwn treats &amp;, &lt; and &gt; as control characters.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
