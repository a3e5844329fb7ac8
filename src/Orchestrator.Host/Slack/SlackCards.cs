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
        var more = More(card.InstanceId);
        var blocks = new List<Block>
        {
            new HeaderBlock(new PlainText(Truncate(card.Title, BlockKitLimits.Header))),
            new SectionBlock(new Markdown(BlockKitText.Clip($"*{Escape(card.WorkflowName)}* · `{card.InstanceId}` · requested by {Escape(card.RequestedBy)}"
                + (card.OnBehalfOf is { } absent ? $" · on behalf of {Escape(absent)}" : ""), BlockKitLimits.Text))),
        };
        blocks.AddRange(FieldBlocks(card.Fields, more));
        blocks.AddRange(SlackInfoCards.ExchangeBlocks(card));

        var context = new List<string>();
        if (card.DueAt is { } due && card.Status == CardStatus.Open) context.Add($"Due {TimeText.Format(due, zone)}");
        if (card.Progress is { } progress) context.Add(progress);
        if (context.Count > 0) blocks.Add(new ContextBlock([new Markdown(BlockKitText.Clip(string.Join(" · ", context), BlockKitLimits.Text))]));

        string text;
        if (card.Status == CardStatus.Open)
        {
            blocks.Add(new ActionsBlock(DecisionButtons(card.Kind == CardKind.Task, ButtonValue(card.InstanceId, card.AssignmentId)), BlockId: $"decide:{card.AssignmentId}"));
            text = $"{(card.Kind == CardKind.Task ? "Task" : "Approval needed")}: {card.Title} ({card.InstanceId})";
        }
        else
        {
            blocks.Add(new SectionBlock(new Markdown(Outcome(card, more))));
            text = $"{card.Title} ({card.InstanceId}): {Truncate(card.Outcome ?? card.Status.ToString(), 500)}";
        }
        return (text, blocks);
    }

    /// <summary>
    /// The card with nothing but its title, where it stands and its buttons while open: drawn when Slack refused the full
    /// card as invalid, so a display limit never leaves live buttons on a decided card or an approver without one.
    /// </summary>
    public static (string Text, IReadOnlyList<Block> Blocks) Minimal(CardModel card)
    {
        var open = card.Status == CardStatus.Open;
        var where = open
            ? card.Kind switch { CardKind.Task => "Task", CardKind.Question => "A question for you", CardKind.Resubmit => "Rejected, back with you", _ => "Approval needed" }
            : Truncate(card.Outcome ?? card.Status.ToString(), 500);
        var blocks = new List<Block>
        {
            new SectionBlock(new Markdown($"*{Escape(Truncate(card.Title, BlockKitLimits.Header))}* · `{card.InstanceId}`\n{Escape(where)}")),
            new ContextBlock([new Markdown($"Part of this card was too long for Slack; `/orchestrate status {card.InstanceId}` shows all of it.")]),
        };
        if (open)
        {
            var value = ButtonValue(card.InstanceId, card.AssignmentId);
            blocks.Add(card.Kind switch
            {
                CardKind.Approval or CardKind.Task => new ActionsBlock(DecisionButtons(card.Kind == CardKind.Task, value), BlockId: $"decide:{card.AssignmentId}"),
                _ => SlackInfoCards.Buttons(card, value),
            });
        }
        return ($"{card.Title} ({card.InstanceId}): {where}", blocks);
    }

    /// <summary>The pointer to the whole of a text that was cut to fit.</summary>
    public static string More(string instanceId) => $"(all of it: `/orchestrate status {instanceId}`)";

    /// <summary>The inputs as section fields, ten to a section, each value cut to fit its field.</summary>
    public static IEnumerable<Block> FieldBlocks(IReadOnlyList<CardField> fields, string more) =>
        fields.Chunk(BlockKitLimits.Fields).Select(chunk => (Block)new SectionBlock(Fields: chunk.Select(f =>
        {
            var label = $"*{Escape(Truncate(f.Label, 200))}*\n";
            return (TextObject)new Markdown(label + BlockKitText.Clip(Escape(f.Value), BlockKitLimits.Field - label.Length, more));
        }).ToList()));

    /// <summary>"❌ *Rejected by Bob Brown*" and the quoted reason, together within one section's text.</summary>
    private static string Outcome(CardModel card, string more)
    {
        var icon = card.Status switch
        {
            CardStatus.Approved or CardStatus.Done => "✅",
            CardStatus.Rejected => "❌",
            CardStatus.Waiting => "⏳",
            _ => "⏹️",
        };
        var outcome = $"{icon} *{BlockKitText.Clip(Escape(card.Outcome ?? card.Status.ToString()), 500)}*";
        if (string.IsNullOrWhiteSpace(card.Reason)) return outcome;
        return outcome + "\n" + BlockKitText.Clip(Quote(card.Reason), BlockKitLimits.Text - outcome.Length - 1, more);
    }

    /// <summary>Someone's words as a mrkdwn quote, every line of them.</summary>
    public static string Quote(string text) => ">" + Escape(text).Replace("\n", "\n>");

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
            new InputBlock(new PlainText("Reason"), new PlainTextInputElement(ReasonBlock, Multiline: true, MaxLength: TextLimits.Comment), BlockId: ReasonBlock),
        ],
        CallbackId: RejectReasonCallback,
        PrivateMetadata: ButtonValue(instanceId, assignmentId),
        Submit: new PlainText("Reject"),
        Close: new PlainText("Cancel"));

    /// <summary>A modal asking for every input of a workflow, prefilled with what the command already gave.</summary>
    public static ModalView StartForm(WorkflowDefinition definition, IReadOnlyDictionary<string, string> values) => new(
        new PlainText(Truncate(definition.Name, BlockKitLimits.ModalTitle)),
        definition.Inputs.Select(input => (Block)new InputBlock(
            new PlainText(Truncate(input.Label, BlockKitLimits.Label)),
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
            input.Options.Select(o => new SelectOption(new PlainText(Truncate(o, BlockKitLimits.OptionText)), o)).ToList(),
            value is null ? null : new SelectOption(new PlainText(Truncate(value, BlockKitLimits.OptionText)), value)),
        InputType.Person => new PlainTextInputElement(input.Id, InitialValue: value, Placeholder: new PlainText("name@example.com"), MaxLength: TextLimits.Input),
        _ => new PlainTextInputElement(input.Id, InitialValue: value, MaxLength: TextLimits.Input),
    };

    /// <summary>Slack's mrkdwn treats &amp;, &lt; and &gt; as control characters.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public static string Truncate(string text, int max) => BlockKitText.Clip(text, max);
}
