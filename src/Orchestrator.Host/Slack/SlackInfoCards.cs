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
        var blocks = new List<Block>
        {
            new HeaderBlock(new PlainText(Truncate(card.Title, 150))),
            new SectionBlock(new Markdown($"*{Escape(card.WorkflowName)}* · `{card.InstanceId}` · requested by {Escape(card.RequestedBy)}")),
        };
        foreach (var chunk in card.Fields.Chunk(10))
            blocks.Add(new SectionBlock(Fields: chunk.Select(f => (TextObject)new Markdown($"*{Escape(f.Label)}*\n{Escape(f.Value)}")).ToList()));
        if (card.Kind == CardKind.Resubmit && !string.IsNullOrWhiteSpace(card.Reason))
            blocks.Add(new SectionBlock(new Markdown(Truncate($"*Reason*\n{Quote(card.Reason)}", 3000))));
        blocks.AddRange(ExchangeBlocks(card));

        if (card.Status == CardStatus.Open)
        {
            var value = ButtonValue(card.InstanceId, card.AssignmentId);
            IReadOnlyList<BlockElement> buttons = card.Kind == CardKind.Question
                ? [new ButtonElement(AnswerInfo, new PlainText("Answer"), value, ButtonStyle.Primary)]
                :
                [
                    new ButtonElement(Resubmit, new PlainText("Change and resubmit"), value, ButtonStyle.Primary),
                    new ButtonElement(Withdraw, new PlainText("Withdraw"), value, ButtonStyle.Danger),
                ];
            blocks.Add(new ActionsBlock(buttons, BlockId: $"{card.Kind.ToString().ToLowerInvariant()}:{card.AssignmentId}"));
            var ask = card.Kind == CardKind.Question
                ? $"Question: {card.Exchanges.LastOrDefault()?.Question ?? card.Title}"
                : $"Rejected, back with you: {card.Title}";
            return ($"{ask} ({card.InstanceId})", blocks);
        }

        var icon = card.Status is CardStatus.Done ? "✅" : "⏹️";
        blocks.Add(new SectionBlock(new Markdown($"{icon} *{Escape(card.Outcome ?? card.Status.ToString())}*")));
        return ($"{card.Title} ({card.InstanceId}): {card.Outcome ?? card.Status.ToString()}", blocks);
    }

    /// <summary>The questions and answers of a step, and what the requester changed on resubmitting; drawn on every kind of card.</summary>
    public static IEnumerable<Block> ExchangeBlocks(CardModel card)
    {
        if (card.Changes.Count > 0)
            yield return new SectionBlock(new Markdown("*What changed*\n" + string.Join("\n", card.Changes.Select(c => $"{Escape(c.Label)}: {Escape(c.Before)} → {Escape(c.After)}"))));
        foreach (var e in card.Exchanges)
        {
            var text = $"*{Escape(e.AskedBy)} asked*\n{Quote(e.Question)}";
            if (e.Answer is { } answer) text += $"\n*{Escape(e.AnsweredBy ?? "")} answered*\n{Quote(answer)}";
            yield return new SectionBlock(new Markdown(Truncate(text, 3000)));
        }
    }

    public static ModalView QuestionModal(string instanceId, string assignmentId, string title, string requester) => new(
        new PlainText("Ask for info"),
        [
            new SectionBlock(new Markdown($"Ask *{Escape(requester)}* about *{Escape(title)}* (`{instanceId}`). Your card waits for the answer; the deadline and reminders pause meanwhile.")),
            new InputBlock(new PlainText("Question"), new PlainTextInputElement(QuestionBlock, Multiline: true), BlockId: QuestionBlock),
        ],
        CallbackId: QuestionCallback,
        PrivateMetadata: ButtonValue(instanceId, assignmentId),
        Submit: new PlainText("Send"),
        Close: new PlainText("Cancel"));

    public static ModalView AnswerModal(string instanceId, string questionId, string askedBy, string question) => new(
        new PlainText("Answer"),
        [
            new SectionBlock(new Markdown(Truncate($"*{Escape(askedBy)}* asks about `{instanceId}`:\n{Quote(question)}", 3000))),
            new InputBlock(new PlainText("Answer"), new PlainTextInputElement(AnswerBlock, Multiline: true), BlockId: AnswerBlock),
        ],
        CallbackId: AnswerCallback,
        PrivateMetadata: ButtonValue(instanceId, questionId),
        Submit: new PlainText("Send"),
        Close: new PlainText("Cancel"));

    /// <summary>Every input of the request, prefilled with its current values.</summary>
    public static ModalView ResubmitModal(string instanceId, string returnId, WorkflowDefinition definition, IReadOnlyDictionary<string, string> values, string? reason) => new(
        new PlainText("Change and resubmit"),
        [
            new SectionBlock(new Markdown(Truncate($"Change what is needed and resubmit `{instanceId}`; the approver will see what changed."
                + (string.IsNullOrWhiteSpace(reason) ? "" : $"\n*Reason given*\n{Quote(reason)}"), 3000))),
            .. StartForm(definition, values).Blocks,
        ],
        CallbackId: ResubmitCallback,
        PrivateMetadata: ButtonValue(instanceId, returnId),
        Submit: new PlainText("Resubmit"),
        Close: new PlainText("Cancel"));

    /// <summary>Someone's words as a mrkdwn quote, every line of them.</summary>
    private static string Quote(string text) => ">" + Escape(text).Replace("\n", "\n>");

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
