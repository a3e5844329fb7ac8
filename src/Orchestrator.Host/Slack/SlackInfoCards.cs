using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using static Orchestrator.Host.Slack.SlackCards;

namespace Orchestrator.Host.Slack;

/// <summary>
/// Block Kit for the work that goes back to the requester: the approver's question modal, the requester's question card
/// and answer modal, and the card and modal to change and resubmit a rejected request.
/// </summary>
internal static class SlackInfoCards
{
    public const string AnswerInfo = "answer_info";
    public const string Resubmit = "resubmit";
    public const string Withdraw = "withdraw";
    public const string QuestionCallback = "info_question";
    public const string AnswerCallback = "info_answer";
    public const string ResubmitCallback = "resubmit_form";
    public const string QuestionBlock = "question";
    public const string AnswerBlock = "answer";

    /// <summary>Buttons of the requester's cards, besides the approval card's own.</summary>
    public static bool IsAction(string? actionId) => actionId is AnswerInfo or Resubmit or Withdraw;

    public static bool IsCallback(string? callbackId) => callbackId is QuestionCallback or AnswerCallback or ResubmitCallback;

    /// <summary>A question card (to answer) or a resubmit card (to change and resubmit, or withdraw).</summary>
    public static (string Text, IReadOnlyList<Block> Blocks) Render(CardModel card, TimeZoneInfo zone)
    {
        var more = More(card.InstanceId);
        var blocks = new List<Block>
        {
            new HeaderBlock(new PlainText(Truncate(card.Title, BlockKitLimits.Header))),
            new SectionBlock(new Markdown(BlockKitText.Clip($"*{Escape(card.WorkflowName)}* · `{card.InstanceId}` · requested by {Escape(card.RequestedBy)}", BlockKitLimits.Text))),
        };
        blocks.AddRange(FieldBlocks(card.Fields, more));
        if (card.Kind == CardKind.Resubmit && !string.IsNullOrWhiteSpace(card.Reason))
            blocks.Add(new SectionBlock(new Markdown(BlockKitText.Clip($"*Reason*\n{Quote(card.Reason)}", BlockKitLimits.Text, more))));
        blocks.AddRange(ExchangeBlocks(card));

        if (card.Status == CardStatus.Open)
        {
            blocks.Add(Buttons(card, ButtonValue(card.InstanceId, card.AssignmentId)));
            var ask = card.Kind == CardKind.Question
                ? $"Question: {Truncate(card.Exchanges.LastOrDefault()?.Question ?? card.Title, 500)}"
                : $"Rejected, back with you: {card.Title}";
            return ($"{ask} ({card.InstanceId})", blocks);
        }

        var icon = card.Status is CardStatus.Done ? "✅" : "⏹️";
        blocks.Add(new SectionBlock(new Markdown($"{icon} *{BlockKitText.Clip(Escape(card.Outcome ?? card.Status.ToString()), 500)}*")));
        return ($"{card.Title} ({card.InstanceId}): {Truncate(card.Outcome ?? card.Status.ToString(), 500)}", blocks);
    }

    /// <summary>The buttons of an open question card (answer) or resubmit card (change and resubmit, withdraw).</summary>
    public static ActionsBlock Buttons(CardModel card, string value)
    {
        IReadOnlyList<BlockElement> buttons = card.Kind == CardKind.Question
            ? [new ButtonElement(AnswerInfo, new PlainText("Answer"), value, ButtonStyle.Primary)]
            :
            [
                new ButtonElement(Resubmit, new PlainText("Change and resubmit"), value, ButtonStyle.Primary),
                new ButtonElement(Withdraw, new PlainText("Withdraw"), value, ButtonStyle.Danger),
            ];
        return new ActionsBlock(buttons, BlockId: $"{card.Kind.ToString().ToLowerInvariant()}:{card.AssignmentId}");
    }

    /// <summary>How many of a step's questions a card shows, latest last; all of them are in <c>status</c>.</summary>
    private const int ShownExchanges = 5;

    /// <summary>The questions and answers of a step, and what the requester changed on resubmitting; drawn on every kind of card.</summary>
    public static IEnumerable<Block> ExchangeBlocks(CardModel card)
    {
        var more = More(card.InstanceId);
        if (card.Changes.Count > 0)
        {
            var changes = card.Changes.Select(c => $"{Escape(c.Label)}: {BlockKitText.Clip(Escape(c.Before), 300)} → {BlockKitText.Clip(Escape(c.After), 300)}");
            yield return new SectionBlock(new Markdown(BlockKitText.Clip("*What changed*\n" + string.Join("\n", changes), BlockKitLimits.Text, more)));
        }
        var skipped = Math.Max(0, card.Exchanges.Count - ShownExchanges);
        if (skipped > 0)
            yield return new ContextBlock([new Markdown($"{skipped} earlier question{(skipped == 1 ? "" : "s")} and answers: `/orchestrate status {card.InstanceId}`")]);
        foreach (var e in card.Exchanges.Skip(skipped))
        {
            // Question and answer share one section's text, so each gets half of it.
            const int half = (BlockKitLimits.Text - 200) / 2;
            var text = $"*{Escape(Truncate(e.AskedBy, 80))} asked*\n{BlockKitText.Clip(Quote(e.Question), half, more)}";
            if (e.Answer is { } answer) text += $"\n*{Escape(Truncate(e.AnsweredBy ?? "", 80))} answered*\n{BlockKitText.Clip(Quote(answer), half, more)}";
            yield return new SectionBlock(new Markdown(BlockKitText.Clip(text, BlockKitLimits.Text)));
        }
    }

    public static ModalView QuestionModal(string instanceId, string assignmentId, string title, string requester) => new(
        new PlainText("Ask for info"),
        [
            new SectionBlock(new Markdown($"Ask *{Escape(requester)}* about *{Escape(title)}* (`{instanceId}`). Your card waits for the answer; the deadline and reminders pause meanwhile.")),
            new InputBlock(new PlainText("Question"), new PlainTextInputElement(QuestionBlock, Multiline: true, MaxLength: TextLimits.Question), BlockId: QuestionBlock),
        ],
        CallbackId: QuestionCallback,
        PrivateMetadata: ButtonValue(instanceId, assignmentId),
        Submit: new PlainText("Send"),
        Close: new PlainText("Cancel"));

    public static ModalView AnswerModal(string instanceId, string questionId, string askedBy, string question) => new(
        new PlainText("Answer"),
        [
            new SectionBlock(new Markdown(BlockKitText.Clip($"*{Escape(askedBy)}* asks about `{instanceId}`:\n{Quote(question)}", BlockKitLimits.Text, More(instanceId)))),
            new InputBlock(new PlainText("Answer"), new PlainTextInputElement(AnswerBlock, Multiline: true, MaxLength: TextLimits.Answer), BlockId: AnswerBlock),
        ],
        CallbackId: AnswerCallback,
        PrivateMetadata: ButtonValue(instanceId, questionId),
        Submit: new PlainText("Send"),
        Close: new PlainText("Cancel"));

    /// <summary>Every input of the request, prefilled with its current values.</summary>
    public static ModalView ResubmitModal(string instanceId, string returnId, WorkflowDefinition definition, IReadOnlyDictionary<string, string> values, string? reason) => new(
        new PlainText("Change and resubmit"),
        [
            new SectionBlock(new Markdown(BlockKitText.Clip($"Change what is needed and resubmit `{instanceId}`; the approver will see what changed."
                + (string.IsNullOrWhiteSpace(reason) ? "" : $"\n*Reason given*\n{Quote(reason)}"), BlockKitLimits.Text, More(instanceId)))),
            .. StartForm(definition, values).Blocks,
        ],
        CallbackId: ResubmitCallback,
        PrivateMetadata: ButtonValue(instanceId, returnId),
        Submit: new PlainText("Resubmit"),
        Close: new PlainText("Cancel"));
}
