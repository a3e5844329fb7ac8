using System.Globalization;

namespace Orchestrator.Core.Definitions;

/// <summary>
/// The most text a person or a system may give, in characters (UTF-16 code units, as Slack and Teams count). Each limit
/// matches what Slack's own modal input takes (<c>plain_text_input</c>: 3,000), so whatever Slack lets someone type is
/// accepted and what is accepted can be shown; more is refused with the field named and nothing changed.
/// </summary>
public static class TextLimits
{
    /// <summary>One workflow input's value, of any type (a text input is the only one that can be long).</summary>
    public const int Input = 3000;

    /// <summary>A decision's comment, a rejection's reason, a cancellation's reason, an API comment.</summary>
    public const int Comment = 3000;

    /// <summary>An approver's question to the requester, and the requester's answer.</summary>
    public const int Question = 3000, Answer = 3000;

    /// <summary>
    /// A whole command (<c>/orchestrate …</c> or a message to the bot), checked before it is parsed: room for a start with
    /// a few long text inputs, far below what could make parsing costly.
    /// </summary>
    public const int Command = 12000;

    /// <summary>A step's title once its inputs are filled in (Slack's header block takes 150).</summary>
    public const int Title = 150;

    /// <summary>How much of someone's text an error message repeats back.</summary>
    public const int Echo = 60;

    /// <summary>Null when <paramref name="text"/> fits, else why it is refused: "The reason is 3,412 characters long; the most is 3,000."</summary>
    public static string? Exceeded(string what, string? text, int limit) =>
        text is not null && text.Length > limit
            ? string.Create(CultureInfo.InvariantCulture, $"{what} is {text.Length:N0} characters long; the most is {limit:N0}.")
            : null;

    /// <summary>The start of someone's text for an error message, with an ellipsis when cut.</summary>
    public static string Clip(string text, int max = Echo) =>
        text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 1]) ? max - 2 : max - 1)] + "…";
}
