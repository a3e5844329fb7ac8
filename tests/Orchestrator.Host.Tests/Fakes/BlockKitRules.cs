using System.Text.Json.Nodes;

namespace Orchestrator.Host.Tests.Fakes;

/// <summary>
/// Block Kit's documented limits, checked as Slack checks them (https://docs.slack.dev/reference/block-kit): a message or
/// view over any of them is refused whole, so a card that breaks one never reaches anybody.
/// </summary>
internal static class BlockKitRules
{
    /// <summary>Null when the blocks are valid, else what is wrong (Slack's own answer says only <c>invalid_blocks</c>).</summary>
    public static string? CheckMessage(JsonArray blocks) => CheckBlocks(blocks, 50);

    /// <summary>A modal or home view: its blocks (at most 100) and, for a modal, title, buttons and metadata.</summary>
    public static string? CheckView(JsonObject view)
    {
        if (view["blocks"] is not JsonArray blocks) return "view.blocks missing";
        if ((string?)view["type"] == "modal")
        {
            if (Text(view["title"], 24, plainOnly: true, required: true) is { } title) return $"view.title: {title}";
            if (Text(view["submit"], 24, plainOnly: true) is { } submit) return $"view.submit: {submit}";
            if (Text(view["close"], 24, plainOnly: true) is { } close) return $"view.close: {close}";
            if (Length(view["private_metadata"]) > 3000) return "view.private_metadata over 3000";
            if (Length(view["callback_id"]) > 255) return "view.callback_id over 255";
        }
        return CheckBlocks(blocks, 100);
    }

    private static string? CheckBlocks(JsonArray blocks, int most)
    {
        if (blocks.Count > most) return $"{blocks.Count} blocks, more than {most}";
        for (var i = 0; i < blocks.Count; i++)
        {
            if (blocks[i] is not JsonObject block) return $"blocks[{i}] is not an object";
            if (Block(block) is { } error) return $"blocks[{i}] ({(string?)block["type"]}): {error}";
        }
        return null;
    }

    private static string? Block(JsonObject block)
    {
        if (Length(block["block_id"]) > 255) return "block_id over 255";
        switch ((string?)block["type"])
        {
            case "header":
                return Text(block["text"], 150, plainOnly: true, required: true);
            case "section":
                if (block["text"] is null && block["fields"] is null) return "neither text nor fields";
                if (Text(block["text"], 3000) is { } text) return $"text: {text}";
                if (block["fields"] is JsonArray fields)
                {
                    if (fields.Count is 0 or > 10) return $"{fields.Count} fields, not 1 to 10";
                    foreach (var f in fields)
                        if (Text(f, 2000, required: true) is { } field) return $"field: {field}";
                }
                return block["accessory"] is JsonObject accessory ? Element(accessory) : null;
            case "context":
                if (block["elements"] is not JsonArray { Count: > 0 and <= 10 } elements) return "context needs 1 to 10 elements";
                foreach (var e in elements)
                    if (Text(e, 3000, required: true) is { } element) return $"element: {element}";
                return null;
            case "divider":
                return null;
            case "actions":
                if (block["elements"] is not JsonArray { Count: > 0 and <= 25 } actions) return "actions need 1 to 25 elements";
                foreach (var a in actions)
                {
                    if (a is not JsonObject action) return "element: not an object";
                    if (Element(action) is { } error) return $"element: {error}";
                }
                return null;
            case "input":
                if (Text(block["label"], 2000, plainOnly: true, required: true) is { } label) return $"label: {label}";
                if (Text(block["hint"], 2000, plainOnly: true) is { } hint) return $"hint: {hint}";
                return block["element"] is JsonObject input ? Element(input) : "input without element";
            default:
                return $"unknown block type '{(string?)block["type"]}'";
        }
    }

    private static string? Element(JsonObject element)
    {
        if (Length(element["action_id"]) > 255) return "action_id over 255";
        if (Text(element["placeholder"], 150, plainOnly: true) is { } placeholder) return $"placeholder: {placeholder}";
        switch ((string?)element["type"])
        {
            case "button":
                if (Text(element["text"], 75, plainOnly: true, required: true) is { } text) return $"button text: {text}";
                if (Length(element["value"]) > 2000) return "button value over 2000";
                return Length(element["url"]) > 3000 ? "button url over 3000" : null;
            case "plain_text_input":
                var max = element["max_length"] is JsonValue v && v.TryGetValue<int>(out var m) ? m : 3000;
                if (max is < 1 or > 3000) return $"max_length {max} not 1 to 3000";
                return Length(element["initial_value"]) > max ? $"initial_value over max_length {max}" : null;
            case "static_select":
                if (element["options"] is not JsonArray { Count: > 0 and <= 100 } options) return "static_select needs 1 to 100 options";
                foreach (var o in options.Append(element["initial_option"]).OfType<JsonObject>())
                {
                    if (Text(o["text"], 75, plainOnly: true, required: true) is { } option) return $"option text: {option}";
                    if (Length(o["value"]) is 0 or > 150) return "option value not 1 to 150";
                }
                return null;
            case "datepicker" or "number_input":
                return null;
            default:
                return $"unknown element type '{(string?)element["type"]}'";
        }
    }

    /// <summary>A text object: plain_text or mrkdwn, 1 to <paramref name="max"/> characters.</summary>
    private static string? Text(JsonNode? node, int max, bool plainOnly = false, bool required = false)
    {
        if (node is null) return required ? "missing text" : null;
        if (node is not JsonObject text) return "text is not an object";
        var type = (string?)text["type"];
        if (type is not ("plain_text" or "mrkdwn") || (plainOnly && type != "plain_text")) return $"text type '{type}'";
        var length = Length(text["text"]);
        return length is 0 or null ? "empty text" : length > max ? $"{length} characters, more than {max}" : null;
    }

    private static int? Length(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s.Length : null;
}
