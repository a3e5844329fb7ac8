using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Teams;

namespace Orchestrator.Host.Playground;

/// <summary>
/// The playground's side of the channel, what the Teams service is to the Teams client: it turns what the page does (a
/// message typed as someone, a click on a card) into Bot Framework activities posted to the bot's own
/// <c>/api/messages</c>, with the playground connector as their <c>serviceUrl</c>, and shows the bot's answers.
/// </summary>
internal sealed partial class PlaygroundChannel(PlaygroundConnector connector, Catalog catalog, IHttpClientFactory http, ILogger<PlaygroundChannel> logger)
{
    public const string Client = "playground";
    public const int MaxText = 4000, MaxVerb = 100;
    private const string MessageResponse = "application/vnd.microsoft.activity.message";

    private readonly SemaphoreSlim _joining = new(1, 1);
    private readonly HashSet<string> _installed = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Adds the bot for everyone in the directory who does not have it yet, as an organisation-wide install of the Teams
    /// app does: each gets the welcome, and cards can reach them before they ever open the page.
    /// </summary>
    public async Task<IResult> JoinAsync(HttpContext context)
    {
        var people = catalog.People.People.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
        await _joining.WaitAsync(context.RequestAborted);
        try
        {
            var missing = people.Where(p => !_installed.Contains(p.Email)).ToList();
            var installs = missing.Select(async p =>
            {
                var activity = Activity(context.Request, p.Email, "conversationUpdate");
                activity["membersAdded"] = new JsonArray(new JsonObject { ["id"] = PlaygroundConnector.BotId });
                using var response = await SendAsync(context, activity);
                return (p.Email, response.StatusCode);
            });
            foreach (var (email, status) in await Task.WhenAll(installs))
            {
                if (status == HttpStatusCode.OK) _installed.Add(email);
                else LogInstallFailed(email, (int)status);
            }
        }
        finally
        {
            _joining.Release();
        }
        return Results.Json(people.Select(p => new { email = p.Email.ToLowerInvariant(), name = p.Name, roles = p.Roles, manager = p.Manager }));
    }

    public async Task<IResult> SayAsync(HttpContext context)
    {
        if (await ReadAsync(context) is not { } body) return BadJson();
        if (PersonOf(body["person"]) is not { } email) return UnknownPerson(body["person"]);
        var text = (body["text"] as JsonValue)?.TryGetValue<string>(out var t) == true ? t.Trim() : null;
        if (string.IsNullOrEmpty(text)) return Problem(400, "Type something to send: text is empty.");
        if (text.Length > MaxText) return Problem(400, $"A message may be at most {MaxText} characters; this one has {text.Length}. Nothing was sent.");

        var typed = connector.Typed(email, text);
        if (typed is null) return Problem(429, $"The playground keeps at most {PlaygroundConnector.MaxChats} chats; restart the host to begin afresh.");
        var activity = Activity(context.Request, email, "message");
        activity["id"] = typed.Id;
        activity["text"] = text;
        using var response = await SendAsync(context, activity);
        return response.IsSuccessStatusCode
            ? Results.NoContent()
            : Problem(502, $"The bot answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(context.RequestAborted)}");
    }

    /// <summary>
    /// A click on an <c>Action.Execute</c> of a card in <c>person</c>'s chat, made by <c>as</c> (the person by default; someone
    /// else to see what a stranger's click does). The invoke comes from the clicker's own chat, as a forwarded card's would.
    /// </summary>
    public async Task<IResult> ClickAsync(HttpContext context)
    {
        if (await ReadAsync(context) is not { } body) return BadJson();
        if (PersonOf(body["person"]) is not { } email) return UnknownPerson(body["person"]);
        var clicker = email;
        if (body["as"] is { } asNode && (asNode as JsonValue)?.ToString() is { Length: > 0 })
            clicker = PersonOf(asNode) ?? "";
        if (clicker.Length == 0) return UnknownPerson(body["as"]);
        var activityId = (string?)(body["activityId"] as JsonValue);
        var verb = (string?)(body["verb"] as JsonValue);
        if (string.IsNullOrEmpty(verb) || verb.Length > MaxVerb) return Problem(400, $"verb must name the card's action (1 to {MaxVerb} characters).");
        if (body["data"] is not (null or JsonObject)) return Problem(400, "data must be a JSON object: the action's data with the card's inputs.");
        if (string.IsNullOrEmpty(activityId) || connector.Transcript(email).Entries.FirstOrDefault(e => e.Id == activityId) is not { Card: not null })
            return Problem(404, $"There is no card '{activityId}' in {email}'s chat.");

        var activity = Activity(context.Request, clicker, "invoke");
        activity["name"] = TeamsBot.AdaptiveCardAction;
        activity["replyToId"] = activityId;
        activity["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = body["data"]?.DeepClone() ?? new JsonObject() },
            ["trigger"] = "manual",
        };
        using var response = await SendAsync(context, activity);
        var answer = await response.Content.ReadAsStringAsync(context.RequestAborted);
        var (card, note, isError) = InvokeAnswer(response.StatusCode, answer);
        connector.Answered(email, activityId, card, note, isError);
        return Results.Json(new { note, error = isError });
    }

    /// <summary>What Teams shows for an invoke response: the card in place of the clicked one, or its message under it.</summary>
    private static (JsonObject? Card, string? Note, bool IsError) InvokeAnswer(HttpStatusCode status, string body)
    {
        if (status != HttpStatusCode.OK) return (null, $"The bot answered {(int)status}. {body}".Trim(), true);
        JsonObject? answer;
        try
        {
            answer = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            answer = null;
        }
        return (string?)answer?["type"] switch
        {
            PlaygroundConnector.AdaptiveCardType when answer!["value"] is JsonObject card => (card.DeepClone().AsObject(), null, false),
            MessageResponse => (null, (string?)answer!["value"], false),
            _ => (null, (string?)answer?["value"]?["message"] ?? "The bot gave no answer to that click.", true),
        };
    }

    private JsonObject Activity(HttpRequest request, string email, string type)
    {
        var person = catalog.People.Find(email);
        return new JsonObject
        {
            ["type"] = type,
            ["id"] = $"p:{Guid.NewGuid():N}",
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["channelId"] = "msteams",
            ["serviceUrl"] = new Uri(BaseUrl(request), PlaygroundConnector.Path.TrimStart('/')).ToString(),
            ["from"] = new JsonObject { ["id"] = PlaygroundConnector.UserId(email), ["name"] = person?.Name ?? email },
            ["recipient"] = new JsonObject { ["id"] = PlaygroundConnector.BotId, ["name"] = "Orchestrator" },
            ["conversation"] = new JsonObject
            {
                ["id"] = PlaygroundConnector.ChatId(email),
                ["conversationType"] = "personal",
                ["tenantId"] = PlaygroundConnector.Tenant,
            },
            ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = PlaygroundConnector.Tenant } },
            ["locale"] = "en-US",
        };
    }

    private async Task<HttpResponseMessage> SendAsync(HttpContext context, JsonObject activity)
    {
        var client = http.CreateClient(Client);
        var url = new Uri(BaseUrl(context.Request), TeamsExtensions.MessagesPath.TrimStart('/'));
        using var content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json");
        return await client.PostAsync(url, content, context.RequestAborted);
    }

    /// <summary>The host as the page reached it (a loopback address: the guard refuses any other), where the bot is too.</summary>
    private static Uri BaseUrl(HttpRequest request) => new($"{request.Scheme}://{request.Host}{request.PathBase}/");

    public string? PersonOf(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? PersonOf(text) : null;

    public string? PersonOf(string? email) =>
        string.IsNullOrWhiteSpace(email) ? null : catalog.People.Find(email.Trim())?.Email.ToLowerInvariant();

    private IResult UnknownPerson(JsonNode? given) => Problem(400,
        $"'{Clip((given as JsonValue)?.ToString() ?? "")}' is not a person in the directory; pick one of {string.Join(", ", catalog.People.People.Select(p => p.Email).Order(StringComparer.Ordinal))}.");

    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";

    private static async Task<JsonObject?> ReadAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult BadJson() => Problem(400, "The body must be a JSON object; nothing was sent.");

    public static IResult Problem(int status, string detail) => Results.Problem(detail, statusCode: status);

    [LoggerMessage(LogLevel.Warning, "Playground: adding the bot for {Email} answered {Status}")]
    private partial void LogInstallFailed(string email, int status);
}
