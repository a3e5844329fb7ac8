using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Cards;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

/// <summary>
/// The three Slack endpoints. Each verifies the signature over the raw body before parsing anything, records the
/// request durably in the inbox and answers at once; <see cref="SlackInboundProcessor"/> does the work afterwards.
/// </summary>
internal static partial class SlackEndpoints
{
    public static IEndpointRouteBuilder MapSlack(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/slack").WithBodyLimit(RequestLimits.Slack);
        group.MapPost("/commands", Commands);
        group.MapPost("/interactions", Interactions);
        group.MapPost("/events", Events);
        return app;
    }

    private static async Task<IResult> Commands(HttpContext context, SlackInbox inbox)
    {
        var (body, refusal) = await ReadVerifiedAsync(context);
        if (refusal is not null) return refusal;
        var form = QueryHelpers.ParseQuery(body);
        string? Field(string name) => form.TryGetValue(name, out var v) ? v.ToString() : null;
        if (string.IsNullOrEmpty(Field("user_id")) || string.IsNullOrEmpty(Field("trigger_id")) || string.IsNullOrEmpty(Field("response_url")) || Field("command") is null)
            return Results.BadRequest("A slash command needs command, user_id, trigger_id and response_url.");
        if (!Uri.TryCreate(Field("response_url"), UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            return Results.BadRequest("response_url must be an absolute URL.");
        inbox.Record($"command:{Field("trigger_id")}", SlackInbox.Command, body);
        return Results.Ok();
    }

    private static async Task<IResult> Interactions(HttpContext context, SlackInbox inbox, Catalog catalog, IStore store, WorkflowEngine engine)
    {
        var (body, refusal) = await ReadVerifiedAsync(context);
        if (refusal is not null) return refusal;
        var form = QueryHelpers.ParseQuery(body);
        if (!form.TryGetValue("payload", out var raw) || ParseObject(raw.ToString()) is not { } payload)
            return Results.BadRequest("An interaction needs a JSON 'payload' form field.");
        var userId = payload["user"] is JsonObject user ? Text(user, "id") : null;
        if (string.IsNullOrEmpty(userId)) return Results.BadRequest("The payload has no user.id.");

        switch (Text(payload, "type"))
        {
            case "block_actions":
            {
                var action = payload["actions"] is JsonArray { Count: > 0 } actions ? actions[0] : null;
                var actionId = action is null ? null : Text(action, "action_id");
                if (actionId is not (SlackCards.Approve or SlackCards.Reject or SlackCards.RequestInfo or SlackCards.Done) && !SlackInfoCards.IsAction(actionId))
                    return Results.Ok();
                if (!SlackCards.TryParseButtonValue(action is null ? null : Text(action, "value"), out _, out _))
                    return Results.BadRequest("The button's value does not name an instance and assignment.");
                var trigger = Text(payload, "trigger_id");
                if (string.IsNullOrEmpty(trigger)) return Results.BadRequest("The payload has no trigger_id.");
                inbox.Record($"action:{trigger}", SlackInbox.Action, payload.ToJsonString());
                return Results.Ok();
            }
            case "view_submission":
            {
                var view = payload["view"] as JsonObject;
                var callback = view is null ? null : Text(view, "callback_id");
                var values = (view?["state"] as JsonObject)?["values"] as JsonObject;
                var metadata = view is null ? null : Text(view, "private_metadata");
                if (view is null || values is null || string.IsNullOrEmpty(Text(view, "id")))
                    return Results.BadRequest("A view_submission needs view.id and view.state.values.");
                if (callback is not (SlackCards.RejectReasonCallback or SlackCards.StartFormCallback) && !SlackInfoCards.IsCallback(callback)) return Results.Ok();
                var errors = callback switch
                {
                    SlackCards.RejectReasonCallback => ValidateReason(values, metadata),
                    SlackCards.StartFormCallback => ValidateStartForm(values, metadata, catalog),
                    _ => ValidateInfo(callback, values, metadata, userId, store, engine),
                };
                if (errors is { Count: > 0 })
                    return Results.Json(new JsonObject { ["response_action"] = "errors", ["errors"] = errors });
                inbox.Record($"view:{Text(view, "id")}:{Text(view, "hash") ?? ""}", SlackInbox.View, payload.ToJsonString());
                return Results.Ok();
            }
            default:
                return Results.Ok();
        }
    }

    private static async Task<IResult> Events(HttpContext context, SlackInbox inbox)
    {
        var (body, refusal) = await ReadVerifiedAsync(context);
        if (refusal is not null) return refusal;
        if (ParseObject(body) is not { } payload) return Results.BadRequest("The body is not a JSON object.");
        switch (Text(payload, "type"))
        {
            case "url_verification":
                var challenge = Text(payload, "challenge");
                return string.IsNullOrEmpty(challenge)
                    ? Results.BadRequest("url_verification needs a challenge.")
                    : Results.Json(new JsonObject { ["challenge"] = challenge });
            case "event_callback":
                var eventId = Text(payload, "event_id");
                if (string.IsNullOrEmpty(eventId) || payload["event"] is not JsonObject)
                    return Results.BadRequest("event_callback needs event_id and event.");
                inbox.Record($"event:{eventId}", SlackInbox.Event, body);
                return Results.Ok();
            default:
                return Results.Ok();
        }
    }

    private static JsonObject? ValidateReason(JsonObject values, string? metadata)
    {
        if (!SlackCards.TryParseButtonValue(metadata, out _, out _))
            return new JsonObject { [SlackCards.ReasonBlock] = "This form lost track of its request; open it again from the card." };
        return CardActions.TextProblem(CardVerb.Reject, StateValue(values, SlackCards.ReasonBlock)) is { } problem
            ? new JsonObject { [SlackCards.ReasonBlock] = problem }
            : null;
    }

    private static JsonObject? ValidateStartForm(JsonObject values, string? workflowId, Catalog catalog)
    {
        var definition = workflowId is null ? null : catalog.Find(workflowId);
        if (definition is null)
            return new JsonObject { [values.FirstOrDefault().Key ?? "form"] = $"The workflow '{workflowId}' no longer exists." };
        var validation = InputValidator.Validate(definition, StartFormValues(values, definition));
        var errors = new JsonObject();
        foreach (var e in validation.Errors) errors[e.Field] = e.Message;
        foreach (var m in validation.MissingRequired) errors[m.Id] = $"{m.Label} is required.";
        return errors.Count == 0 ? null : errors;
    }

    /// <summary>The values a start form was submitted with, keyed by input id.</summary>
    public static Dictionary<string, string> StartFormValues(JsonObject values, WorkflowDefinition definition)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var input in definition.Inputs)
            if (StateValue(values, input.Id) is { Length: > 0 } v) result[input.Id] = v;
        return result;
    }

    /// <summary>Reads a value of view.state.values[block][action] whatever the element type.</summary>
    public static string? StateValue(JsonObject values, string blockId)
    {
        if (values[blockId] is not JsonObject block || block.FirstOrDefault().Value is not JsonObject element) return null;
        return Text(element, "value") ?? Text(element, "selected_date") ?? (element["selected_option"] is JsonObject option ? Text(option, "value") : null);
    }

    private static async Task<(string Body, IResult? Refusal)> ReadVerifiedAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<SlackOptions>>().Value;
        if (string.IsNullOrEmpty(options.SigningSecret) || string.IsNullOrEmpty(options.BotToken))
            return ("", Results.Problem("Slack is not configured on this host: set Slack:BotToken and Slack:SigningSecret.", statusCode: 503));

        // The group's body limit stops an oversized body while it is read here (see RequestLimits).
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);

        var verifier = context.RequestServices.GetRequiredService<SlackSignatureVerifier>();
        var verdict = verifier.Verify(
            context.Request.Headers["X-Slack-Request-Timestamp"].ToString(),
            context.Request.Headers["X-Slack-Signature"].ToString(),
            buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (verdict != SlackVerification.Valid)
            return ("", Results.Problem($"The request is not signed by Slack ({verdict}).", statusCode: 401));

        try
        {
            return (new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return ("", Results.BadRequest("The body is not UTF-8."));
        }
    }

    private static JsonObject? ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string property, or null when it is absent or not a string.</summary>
    public static string? Text(JsonNode node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
