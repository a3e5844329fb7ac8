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
    PlainText? Placeholder = null) : BlockElement(ActionId);

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
