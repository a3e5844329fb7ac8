using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Orchestrator.Host.Slack;

/// <summary>The part of Slack's Web API the bot uses; one call per method, no retries (the outbox retries).</summary>
internal interface ISlackApi
{
    /// <summary>conversations.open: the DM channel with one user.</summary>
    Task<string> OpenDirectMessage(string userId, CancellationToken cancellationToken = default);

    /// <summary>chat.postMessage.</summary>
    Task<SlackMessageRef> PostMessage(SlackMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// conversations.history (or conversations.replies inside a thread): the newest message the bot posted there whose
    /// metadata carries <paramref name="key"/>, or null. Lets a retry find out whether an earlier try already landed.
    /// </summary>
    Task<SlackMessageRef?> FindMessageByKey(string channel, string? threadTs, string eventType, string key, CancellationToken cancellationToken = default);

    /// <summary>chat.update: replaces a message's text and blocks.</summary>
    Task UpdateMessage(string channel, string ts, string text, IReadOnlyList<Block>? blocks, CancellationToken cancellationToken = default);

    /// <summary>chat.postEphemeral: a message only <paramref name="user"/> sees.</summary>
    Task PostEphemeral(string channel, string user, string text, IReadOnlyList<Block>? blocks, CancellationToken cancellationToken = default);

    /// <summary>users.info.</summary>
    Task<SlackUser> UserInfo(string userId, CancellationToken cancellationToken = default);

    /// <summary>users.lookupByEmail; null when Slack knows no such user.</summary>
    Task<SlackUser?> LookupByEmail(string email, CancellationToken cancellationToken = default);

    /// <summary>views.open: returns the view id.</summary>
    Task<string> OpenView(string triggerId, ModalView view, CancellationToken cancellationToken = default);

    /// <summary>views.publish: the user's App Home tab.</summary>
    Task PublishView(string userId, HomeView view, CancellationToken cancellationToken = default);

    /// <summary>Answers through a slash command's or interaction's response_url.</summary>
    Task Respond(
        Uri responseUrl,
        string text,
        IReadOnlyList<Block>? blocks,
        SlackResponseType responseType,
        bool replaceOriginal,
        CancellationToken cancellationToken = default);
}

internal sealed record SlackMessage(
    string Channel,
    string Text,
    IReadOnlyList<Block>? Blocks = null,
    string? ThreadTs = null,
    SlackMessageMetadata? Metadata = null);

/// <summary>Slack message metadata: lets a message carry which instance and step it belongs to.</summary>
internal sealed record SlackMessageMetadata(string EventType, JsonObject EventPayload);

internal sealed record SlackMessageRef(string Channel, string Ts);

internal sealed record SlackUser(string Id, string? Email, string RealName, string? Tz, TimeSpan? TzOffset);

internal enum SlackResponseType { Ephemeral, InChannel }

internal sealed class SlackOptions
{
    public const string SectionName = "Slack";

    public string? BotToken { get; set; }
    public string? SigningSecret { get; set; }
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>How long one Web API call may take before it counts as failed (and is retried from the outbox).</summary>
    public TimeSpan ApiTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>A Slack call that did not succeed, named by method and Slack's error code.</summary>
internal class SlackApiException(string method, string error, bool transient, Exception? inner = null)
    : Exception($"Slack {method} failed: {error}", inner)
{
    private static readonly HashSet<string> TransientErrors =
        ["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"];

    public string Method { get; } = method;
    public string Error { get; } = error;

    /// <summary>True when trying the same call later may succeed.</summary>
    public bool Transient { get; } = transient;

    public static SlackApiException FromError(string method, string error) =>
        new(method, error, TransientErrors.Contains(error));
}

internal sealed class SlackRateLimitedException(string method, TimeSpan retryAfter)
    : SlackApiException(method, "ratelimited", transient: true)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

internal sealed class SlackApiClient(HttpClient http, IOptions<SlackOptions> options) : ISlackApi
{
    private const string ResponseUrlMethod = "response_url";
    private static readonly MediaTypeHeaderValue JsonUtf8 = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    private readonly string? _botToken = string.IsNullOrWhiteSpace(options.Value.BotToken) ? null : options.Value.BotToken;

    public async Task<string> OpenDirectMessage(string userId, CancellationToken cancellationToken = default)
    {
        var response = await Call<ConversationResponse>("conversations.open", Json(new { Users = userId }), cancellationToken);
        return response.Channel.Id;
    }

    public async Task<SlackMessageRef> PostMessage(SlackMessage message, CancellationToken cancellationToken = default)
    {
        var response = await Call<PostMessageResponse>("chat.postMessage", Json(message), cancellationToken);
        return new SlackMessageRef(response.Channel, response.Ts);
    }

    public async Task<SlackMessageRef?> FindMessageByKey(string channel, string? threadTs, string eventType, string key, CancellationToken cancellationToken = default)
    {
        // Slack leaves metadata out of history unless asked; 200 recent messages reach well past any retry window.
        var response = threadTs is null
            ? await Call<HistoryResponse>("conversations.history", Form(("channel", channel), ("limit", "200"), ("include_all_metadata", "true")), cancellationToken)
            : await Call<HistoryResponse>("conversations.replies", Form(("channel", channel), ("ts", threadTs), ("limit", "200"), ("include_all_metadata", "true")), cancellationToken);
        var found = response.Messages?.FirstOrDefault(m => m.Metadata?.EventType == eventType
            && m.Metadata.EventPayload?["key"] is JsonValue v && v.TryGetValue<string>(out var k) && k == key);
        return found is null ? null : new SlackMessageRef(channel, found.Ts);
    }

    // An empty block list is sent rather than none so that a text-only update also removes the old buttons.
    public Task UpdateMessage(string channel, string ts, string text, IReadOnlyList<Block>? blocks, CancellationToken cancellationToken = default) =>
        Call<JsonElement>("chat.update", Json(new UpdateRequest(channel, ts, text, blocks ?? [])), cancellationToken);

    public Task PostEphemeral(string channel, string user, string text, IReadOnlyList<Block>? blocks, CancellationToken cancellationToken = default) =>
        Call<JsonElement>("chat.postEphemeral", Json(new EphemeralRequest(channel, user, text, blocks)), cancellationToken);

    public async Task<SlackUser> UserInfo(string userId, CancellationToken cancellationToken = default)
    {
        var response = await Call<UserResponse>("users.info", Form(("user", userId)), cancellationToken);
        return response.User.ToSlackUser();
    }

    public async Task<SlackUser?> LookupByEmail(string email, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await Call<UserResponse>("users.lookupByEmail", Form(("email", email)), cancellationToken);
            return response.User.ToSlackUser();
        }
        catch (SlackApiException e) when (e.Error == "users_not_found")
        {
            return null;
        }
    }

    public async Task<string> OpenView(string triggerId, ModalView view, CancellationToken cancellationToken = default)
    {
        var response = await Call<ViewResponse>("views.open", Json(new OpenViewRequest(triggerId, view)), cancellationToken);
        return response.View.Id;
    }

    public Task PublishView(string userId, HomeView view, CancellationToken cancellationToken = default) =>
        Call<JsonElement>("views.publish", Json(new PublishViewRequest(userId, view)), cancellationToken);

    public async Task Respond(
        Uri responseUrl,
        string text,
        IReadOnlyList<Block>? blocks,
        SlackResponseType responseType,
        bool replaceOriginal,
        CancellationToken cancellationToken = default)
    {
        if (!responseUrl.IsAbsoluteUri)
            throw new ArgumentException($"response_url must be absolute, got '{responseUrl}'", nameof(responseUrl));

        // No bot token here: the response_url carries its own authority, and the token must not leave for other hosts.
        using var request = new HttpRequestMessage(HttpMethod.Post, responseUrl)
        {
            Content = Json(new RespondRequest(text, blocks, responseType, replaceOriginal)),
        };
        var (status, body) = await Send(ResponseUrlMethod, request, cancellationToken);
        var answer = body.Trim();
        if (answer.StartsWith('{'))
        {
            Check(ResponseUrlMethod, ParseObject(ResponseUrlMethod, answer));
            return;
        }
        if (status is >= 200 and < 300)
            return;
        throw new SlackApiException(ResponseUrlMethod, answer.Length is > 0 and <= 64 ? answer : $"http_{status}", status >= 500);
    }

    private async Task<T> Call<T>(string method, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, method) { Content = content };
        if (_botToken is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _botToken);

        var (status, body) = await Send(method, request, cancellationToken);
        if (status is < 200 or >= 300)
            throw new SlackApiException(method, $"http_{status}", transient: status >= 500);

        var json = ParseObject(method, body);
        Check(method, json);
        try
        {
            return json.Deserialize<T>(SlackJson.Options) ?? throw new JsonException("null body");
        }
        catch (JsonException e)
        {
            throw new SlackApiException(method, "invalid_response", transient: false, e);
        }
    }

    private async Task<(int Status, string Body)> Send(string method, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new SlackRateLimitedException(method, response.Headers.RetryAfter?.Delta ?? DefaultRetryAfter);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SlackApiException(method, "timeout", transient: true, e);
        }
        catch (HttpRequestException e)
        {
            throw new SlackApiException(method, "connection_failed", transient: true, e);
        }
    }

    private static JsonObject ParseObject(string method, string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new SlackApiException(method, "invalid_response", transient: false, e);
        }
    }

    private static void Check(string method, JsonObject json)
    {
        if (json["ok"] is JsonValue ok && ok.TryGetValue<bool>(out var isOk) && isOk)
            return;
        var error = json["error"] is JsonValue e && e.TryGetValue<string>(out var text) ? text : "unknown_error";
        throw SlackApiException.FromError(method, error);
    }

    private static ByteArrayContent Json<T>(T body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, SlackJson.Options));
        content.Headers.ContentType = JsonUtf8;
        return content;
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));

    private sealed record UpdateRequest(string Channel, string Ts, string Text, IReadOnlyList<Block> Blocks);

    private sealed record EphemeralRequest(string Channel, string User, string Text, IReadOnlyList<Block>? Blocks);

    private sealed record OpenViewRequest(string TriggerId, ModalView View);

    private sealed record PublishViewRequest(string UserId, HomeView View);

    private sealed record RespondRequest(string Text, IReadOnlyList<Block>? Blocks, SlackResponseType ResponseType, bool ReplaceOriginal);

    private sealed record ConversationResponse(IdOnly Channel);

    private sealed record HistoryResponse(IReadOnlyList<HistoryMessage>? Messages);

    private sealed record HistoryMessage(string Ts, HistoryMetadata? Metadata);

    private sealed record HistoryMetadata(string? EventType, JsonObject? EventPayload);

    private sealed record PostMessageResponse(string Channel, string Ts);

    private sealed record ViewResponse(IdOnly View);

    private sealed record IdOnly(string Id);

    private sealed record UserResponse(UserPayload User);

    private sealed record UserPayload(string Id, string? Name, string? RealName, string? Tz, int? TzOffset, ProfilePayload? Profile)
    {
        public SlackUser ToSlackUser() => new(
            Id,
            Profile?.Email,
            RealName ?? Profile?.RealName ?? Name ?? Id,
            Tz,
            TzOffset is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
    }

    private sealed record ProfilePayload(string? Email, string? RealName);
}
