using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Orchestrator.Host.Teams;

// The typed subset of Adaptive Cards 1.5 that Orchestrator draws. The AdaptiveCards package is not available from our
// registry, and the Bot Framework SDK's AdaptiveCards-typed members must stay untouched (see BotFramework.props), so
// cards are plain records serialised with System.Text.Json and handed to the SDK as JSON.

/// <summary>A top-level Adaptive Card, always schema 1.5.</summary>
internal sealed record AdaptiveCard(IReadOnlyList<CardElement> Body, IReadOnlyList<CardAction>? Actions = null)
{
    public const string ContentType = "application/vnd.microsoft.card.adaptive";
    public const string SchemaUrl = "http://adaptivecards.io/schemas/adaptive-card.json";

    [JsonPropertyName("$schema")]
    [JsonPropertyOrder(-3)]
    public string Schema => SchemaUrl;

    [JsonPropertyOrder(-2)]
    public string Type => "AdaptiveCard";

    [JsonPropertyOrder(-1)]
    public string Version => "1.5";

    /// <summary>What clients that cannot draw the card (notifications, old clients) show instead.</summary>
    public string? FallbackText { get; init; }

    public JsonObject ToJsonObject() => JsonSerializer.SerializeToNode(this, AdaptiveCardJson.Options)!.AsObject();

    public string ToJson() => JsonSerializer.Serialize(this, AdaptiveCardJson.Options);
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(TextBlock), "TextBlock")]
[JsonDerivedType(typeof(FactSet), "FactSet")]
[JsonDerivedType(typeof(InputText), "Input.Text")]
[JsonDerivedType(typeof(InputNumber), "Input.Number")]
[JsonDerivedType(typeof(InputDate), "Input.Date")]
[JsonDerivedType(typeof(InputChoiceSet), "Input.ChoiceSet")]
internal abstract record CardElement
{
    public bool? Separator { get; init; }
    public string? Spacing { get; init; }
}

internal sealed record TextBlock(string Text) : CardElement
{
    public bool Wrap { get; init; } = true;
    public string? Size { get; init; }
    public string? Weight { get; init; }
    public string? Color { get; init; }
    public bool? IsSubtle { get; init; }
}

internal sealed record FactSet(IReadOnlyList<Fact> Facts) : CardElement;

internal sealed record Fact(string Title, string Value);

internal abstract record CardInput(string Id) : CardElement
{
    public string? Label { get; init; }
    public bool? IsRequired { get; init; }
    public string? ErrorMessage { get; init; }
}

internal sealed record InputText(string Id) : CardInput(Id)
{
    public string? Placeholder { get; init; }
    public bool? IsMultiline { get; init; }
    public string? Value { get; init; }

    /// <summary>Teams stops typing here, so what is sent fits the engine's text limits.</summary>
    public int? MaxLength { get; init; }
}

internal sealed record InputNumber(string Id) : CardInput(Id)
{
    public string? Placeholder { get; init; }
    public double? Value { get; init; }
}

internal sealed record InputDate(string Id) : CardInput(Id)
{
    public string? Value { get; init; }
}

internal sealed record InputChoiceSet(string Id, IReadOnlyList<Choice> Choices) : CardInput(Id)
{
    public string? Placeholder { get; init; }
    public string? Value { get; init; }
}

internal sealed record Choice(string Title, string Value);

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ExecuteAction), "Action.Execute")]
internal abstract record CardAction(string Title)
{
    public string? Style { get; init; }
}

/// <summary>
/// A Universal Action: Teams sends it to the bot as an <c>adaptiveCard/action</c> invoke with <see cref="Verb"/> and
/// <see cref="Data"/> merged with the card's input values.
/// </summary>
internal sealed record ExecuteAction(string Title, string Verb, JsonObject Data) : CardAction(Title)
{
    /// <summary><c>auto</c> validates and sends the card's inputs; <c>none</c> sends none, so required inputs do not block this action.</summary>
    public string? AssociatedInputs { get; init; }
}

/// <summary>
/// Keeps what people typed from making a card too large for Teams (a message, card included, is refused over about
/// 28 KB): each text is cut to a budget of UTF-8 bytes, with an ellipsis and a pointer to where all of it can be read.
/// </summary>
internal static class CardText
{
    /// <summary>One field's value, a question or an answer, on a card.</summary>
    public const int Value = 800;

    /// <summary>A reason or an outcome, of which a card has one.</summary>
    public const int Reason = 1500;

    /// <summary>How many of a step's questions a card shows, latest last.</summary>
    public const int Exchanges = 3;

    public static string More(string instanceId) => $"(all of it: status {instanceId})";

    public static string Clip(string text, int maxBytes, string? more = null)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        var tail = "…" + (more is null ? "" : " " + more);
        var budget = maxBytes - System.Text.Encoding.UTF8.GetByteCount(tail);
        var used = 0;
        var cut = 0;
        while (cut < text.Length)
        {
            var width = char.IsHighSurrogate(text[cut]) && cut + 1 < text.Length ? 2 : 1;
            var bytes = System.Text.Encoding.UTF8.GetByteCount(text.AsSpan(cut, width));
            if (used + bytes > budget) break;
            used += bytes;
            cut += width;
        }
        return text[..cut].TrimEnd() + tail;
    }
}

internal static class AdaptiveCardJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
