using System.Text.Json.Nodes;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Playground;

/// <summary>One message of a playground chat as it stands now: typed by the person, or posted (and maybe updated) by the bot.</summary>
internal sealed record PlaygroundEntry(string Id, bool FromBot, string? Text, JsonObject? Card, string? Note, bool NoteIsError, long Version);

/// <summary>A person's chat with the bot, and the version that changes whenever anything in it does.</summary>
internal sealed record PlaygroundTranscript(string Person, long Version, IReadOnlyList<PlaygroundEntry> Entries);

/// <summary>
/// The playground's Bot Connector: the service that the playground's activities name as their <c>serviceUrl</c>, so the
/// bot's replies, proactive cards, card updates and member lookups come here through the Bot Framework SDK exactly as they
/// go to Teams. It keeps each person's 1:1 chat in memory for the page to show; a restart starts the chats afresh.
/// </summary>
internal sealed class PlaygroundConnector(Catalog catalog)
{
    public const string Path = "/playground/connector/";
    public const string BotId = "28:orchestrator";
    public const string Tenant = "playground";
    private const string UserPrefix = "29:playground:";
    private const string ChatPrefix = "a:playground:";
    public const string AdaptiveCardType = "application/vnd.microsoft.card.adaptive";

    /// <summary>Bounds on what the page can make the host keep: one chat per person, the newest messages of each.</summary>
    public const int MaxChats = 1000, MaxEntries = 500;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<PlaygroundEntry>> _chats = new(StringComparer.Ordinal);
    private long _version;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static string UserId(string email) => UserPrefix + email.Trim().ToLowerInvariant();

    public static string ChatId(string email) => ChatPrefix + email.Trim().ToLowerInvariant();

    private static string? EmailOf(string id, string prefix) =>
        id.StartsWith(prefix, StringComparison.Ordinal) && id.Length > prefix.Length ? id[prefix.Length..] : null;

    /// <summary>Completes at the next change to any chat.</summary>
    public Task Changed
    {
        get { lock (_gate) return _changed.Task; }
    }

    public PlaygroundTranscript Transcript(string email)
    {
        lock (_gate)
        {
            var entries = _chats.TryGetValue(ChatId(email), out var list) ? list.ToList() : [];
            return new PlaygroundTranscript(email, entries.Count == 0 ? 0 : entries.Max(e => e.Version), entries);
        }
    }

    /// <summary>What the person typed, shown in their chat before the bot answers it.</summary>
    public PlaygroundEntry? Typed(string email, string text) => Add(ChatId(email), null, fromBot: false, text, card: null);

    /// <summary>Shows the answer to a click on a card: the card as it now stands, or a note under it.</summary>
    public bool Answered(string email, string activityId, JsonObject? card, string? note, bool isError) =>
        Change(ChatId(email), activityId, e => e with { Card = card ?? e.Card, Note = note, NoteIsError = isError });

    public IEndpointRouteBuilder Map(IEndpointRouteBuilder group)
    {
        group.MapPost("/v3/conversations", CreateConversation);
        group.MapPost("/v3/conversations/{conversationId}/activities", (string conversationId, JsonObject activity) => Post(conversationId, activity));
        group.MapPost("/v3/conversations/{conversationId}/activities/{replyToId}", (string conversationId, string replyToId, JsonObject activity) => Post(conversationId, activity));
        group.MapPut("/v3/conversations/{conversationId}/activities/{activityId}", Put);
        group.MapGet("/v3/conversations/{conversationId}/members/{userId}", Member);
        return group;
    }

    private IResult CreateConversation(JsonObject parameters)
    {
        var userId = (string?)(parameters["members"] as JsonArray)?.FirstOrDefault()?["id"];
        if (userId is null || EmailOf(userId, UserPrefix) is not { } email || catalog.People.Find(email) is null)
            return Error(400, "BadArgument", "members[0].id must name a person of the directory.");
        return Results.Json(new { id = ChatId(email) });
    }

    private IResult Post(string conversationId, JsonObject activity)
    {
        if (EmailOf(conversationId, ChatPrefix) is null) return Error(404, "ConversationNotFound", $"No conversation {conversationId}.");
        // Typing indicators and the like have nothing to show.
        if ((string?)activity["type"] is { } type && type != "message") return Results.Json(new { id = $"x-{Guid.NewGuid():N}" });
        var entry = Add(conversationId, null, fromBot: true, (string?)activity["text"], CardOf(activity));
        return entry is null
            ? Error(429, "Throttled", $"The playground keeps at most {MaxChats} chats.")
            : Results.Json(new { id = entry.Id });
    }

    private IResult Put(string conversationId, string activityId, JsonObject activity)
    {
        if (EmailOf(conversationId, ChatPrefix) is null) return Error(404, "ConversationNotFound", $"No conversation {conversationId}.");
        var card = CardOf(activity);
        var text = (string?)activity["text"];
        // A card posted before a restart is no longer in memory: it is shown anew, as it now stands, rather than lost.
        if (!Change(conversationId, activityId, e => e with { Card = card, Text = text, Note = null, NoteIsError = false }))
            Add(conversationId, activityId, fromBot: true, text, card);
        return Results.Json(new { id = activityId });
    }

    private IResult Member(string conversationId, string userId)
    {
        if (EmailOf(userId, UserPrefix) is not { } email || catalog.People.Find(email) is not { } person)
            return Error(404, "MemberNotFoundInConversation", $"{userId} is not a member of {conversationId}.");
        var address = person.Email.ToLowerInvariant();
        return Results.Json(new
        {
            id = userId,
            name = person.Name,
            email = address,
            userPrincipalName = address,
            tenantId = Tenant,
            userRole = "user",
        });
    }

    private PlaygroundEntry? Add(string conversationId, string? id, bool fromBot, string? text, JsonObject? card)
    {
        lock (_gate)
        {
            if (!_chats.TryGetValue(conversationId, out var entries))
            {
                if (_chats.Count >= MaxChats) return null;
                _chats[conversationId] = entries = [];
            }
            var version = ++_version;
            var entry = new PlaygroundEntry(id ?? $"m-{version}", fromBot, text, card, null, false, version);
            entries.Add(entry);
            if (entries.Count > MaxEntries) entries.RemoveAt(0);
            Signal();
            return entry;
        }
    }

    private bool Change(string conversationId, string activityId, Func<PlaygroundEntry, PlaygroundEntry> change)
    {
        lock (_gate)
        {
            if (!_chats.TryGetValue(conversationId, out var entries)) return false;
            var index = entries.FindIndex(e => e.Id == activityId);
            if (index < 0) return false;
            entries[index] = change(entries[index]) with { Version = ++_version };
            Signal();
            return true;
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    private static JsonObject? CardOf(JsonObject activity) =>
        (activity["attachments"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(a => (string?)a["contentType"] == AdaptiveCardType)?["content"]?.DeepClone() as JsonObject;

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { code, message } }, statusCode: status);
}
