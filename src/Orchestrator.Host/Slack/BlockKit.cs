using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Host.Slack;

/// <summary>The one set of JSON options for everything sent to or read from Slack.</summary>
internal static class SlackJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // A null where Slack needs a value fails here, with the property's name, instead of at Slack as invalid_blocks.
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>
/// Block Kit's documented limits, in characters. Slack refuses a message or view over any of them (<c>invalid_blocks</c>),
/// so whatever a person typed is cut to fit where it is shown (<see cref="BlockKitText.Clip"/>).
/// </summary>
internal static class BlockKitLimits
{
    /// <summary>Any text object: a section's text, a context element.</summary>
    public const int Text = 3000;

    /// <summary>Each of a section's fields; a section has at most <see cref="Fields"/>.</summary>
    public const int Field = 2000, Fields = 10;

    public const int Header = 150;
    public const int ContextElements = 10;
    public const int ButtonText = 75, ButtonValue = 2000;
    public const int ActionElements = 25;

    /// <summary>An input's label and hint.</summary>
    public const int Label = 2000;
    public const int Placeholder = 150;
    public const int OptionText = 75, OptionValue = 150, Options = 100;

    /// <summary>A plain_text_input's max_length (and so its initial value).</summary>
    public const int InputLength = 3000;

    /// <summary>A modal's title, submit and close texts.</summary>
    public const int ModalTitle = 24;
    public const int PrivateMetadata = 3000;
    public const int MessageBlocks = 50, ViewBlocks = 100;
}

/// <summary>Cutting text to Block Kit's limits without breaking what Slack parses.</summary>
internal static class BlockKitText
{
    /// <summary>
    /// <paramref name="text"/> (already escaped mrkdwn or plain text) at most <paramref name="max"/> characters: when cut, it
    /// ends with an ellipsis and <paramref name="more"/> (where to read all of it). Never splits an escape (<c>&amp;amp;</c>)
    /// or a surrogate pair.
    /// </summary>
    public static string Clip(string text, int max, string? more = null)
    {
        if (text.Length <= max) return text;
        var tail = "…" + (more is null ? "" : " " + more);
        var cut = Math.Max(0, max - tail.Length);
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) cut--;
        var amp = text.LastIndexOf('&', Math.Max(0, cut - 1), Math.Min(cut, 5));
        if (amp >= 0 && text.IndexOf(';', amp) is var semi && (semi < 0 || semi >= cut)) cut = amp;
        return text[..cut].TrimEnd() + tail;
    }
}

// Text objects and views declare themselves as their own derived type too, so that `type` is written even where a
// property's declared type is the concrete record (a header's text, a label); that is why they cannot be sealed.

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(PlainText), "plain_text")]
[JsonDerivedType(typeof(Markdown), "mrkdwn")]
internal abstract record TextObject;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(PlainText), "plain_text")]
internal record PlainText(string Text, bool? Emoji = null) : TextObject;

internal sealed record Markdown(string Text) : TextObject;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HeaderBlock), "header")]
[JsonDerivedType(typeof(SectionBlock), "section")]
[JsonDerivedType(typeof(ContextBlock), "context")]
[JsonDerivedType(typeof(DividerBlock), "divider")]
[JsonDerivedType(typeof(ActionsBlock), "actions")]
[JsonDerivedType(typeof(InputBlock), "input")]
internal abstract record Block;

internal sealed record HeaderBlock(PlainText Text) : Block;

internal sealed record SectionBlock(
    TextObject? Text = null,
    IReadOnlyList<TextObject>? Fields = null,
    string? BlockId = null,
    BlockElement? Accessory = null) : Block;

internal sealed record ContextBlock(IReadOnlyList<TextObject> Elements) : Block;

internal sealed record DividerBlock : Block;

internal sealed record ActionsBlock(IReadOnlyList<BlockElement> Elements, string? BlockId = null) : Block;

internal sealed record InputBlock(
    PlainText Label,
    BlockElement Element,
    string? BlockId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Optional = false,
    PlainText? Hint = null) : Block;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ButtonElement), "button")]
[JsonDerivedType(typeof(PlainTextInputElement), "plain_text_input")]
[JsonDerivedType(typeof(StaticSelectElement), "static_select")]
[JsonDerivedType(typeof(DatePickerElement), "datepicker")]
[JsonDerivedType(typeof(NumberInputElement), "number_input")]
internal abstract record BlockElement([property: JsonPropertyOrder(-1)] string ActionId);

internal enum ButtonStyle { Primary, Danger }

internal sealed record ButtonElement(
    string ActionId,
    PlainText Text,
    string? Value = null,
    ButtonStyle? Style = null,
    Uri? Url = null) : BlockElement(ActionId);

internal sealed record PlainTextInputElement(
    string ActionId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Multiline = false,
    string? InitialValue = null,
    PlainText? Placeholder = null,
    int? MaxLength = null) : BlockElement(ActionId);

internal sealed record SelectOption(PlainText Text, string Value);

internal sealed record StaticSelectElement(
    string ActionId,
    IReadOnlyList<SelectOption> Options,
    SelectOption? InitialOption = null,
    PlainText? Placeholder = null) : BlockElement(ActionId);

internal sealed record DatePickerElement(
    string ActionId,
    DateOnly? InitialDate = null,
    PlainText? Placeholder = null) : BlockElement(ActionId);

internal sealed record NumberInputElement(
    string ActionId,
    bool IsDecimalAllowed,
    string? InitialValue = null,
    string? MinValue = null,
    string? MaxValue = null,
    PlainText? Placeholder = null) : BlockElement(ActionId);

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ModalView), "modal")]
internal record ModalView(
    PlainText Title,
    IReadOnlyList<Block> Blocks,
    string? CallbackId = null,
    string? PrivateMetadata = null,
    PlainText? Submit = null,
    PlainText? Close = null);

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HomeView), "home")]
internal record HomeView(IReadOnlyList<Block> Blocks);
