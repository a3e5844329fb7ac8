using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Host.Tests.Fakes;

/// <summary>One request the fake received: the Web API method (or <c>respond/{id}</c>), its parsed body and how it came.</summary>
internal sealed record SlackFakeCall(string Method, JsonObject Body, DateTimeOffset At, string? Token, string? ContentType)
{
    public string? Arg(string name) => Body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public override string ToString() => $"{At:HH:mm:ss.fff} {Method} {Body.ToJsonString()}";
}

/// <summary>A message as it stands now in the fake's Slack, after any chat.update.</summary>
internal sealed record SlackFakeMessage(
    string Channel,
    string Ts,
    string? Text,
    JsonArray? Blocks,
    string? ThreadTs,
    JsonObject? Metadata,
    int Updates);

internal sealed record SlackFakeUser(string Id, string Email, string RealName, string Tz);

/// <summary>
/// Slack's Web API on a real loopback HTTP listener, answering as Slack does (HTTP 200 with ok:false for errors),
/// so that the production client, its HttpClient and its error mapping are what the tests exercise.
/// </summary>
internal sealed class SlackFake : IAsyncDisposable
{
    public const string DefaultBotToken = "xoxb-fake-token";

    // These methods read form fields only on real Slack; a JSON body there is a client bug.
    private static readonly HashSet<string> FormOnlyMethods = ["users.info", "users.lookupByEmail", "conversations.history", "conversations.replies"];

    private readonly object _gate = new();
    private readonly List<SlackFakeCall> _calls = [];
    private readonly List<string> _refusals = [];
    private readonly Dictionary<string, SlackFakeUser> _users = [];
    private readonly Dictionary<string, string> _dmChannels = [];
    private readonly HashSet<string> _channels = [];
    private readonly Dictionary<(string Channel, string Ts), SlackFakeMessage> _messages = [];
    private readonly List<(string Channel, string Ts)> _messageOrder = [];
    private readonly Dictionary<string, JsonObject> _homeViews = [];
    private readonly Dictionary<string, Queue<Script>> _scripts = [];
    private readonly List<(string Method, TimeSpan Delay)> _delays = [];
    private readonly List<(string Method, TimeSpan Delay)> _lateAnswers = [];
    private readonly List<SlackFakeHold> _holds = [];
    private readonly TimeProvider _time;
    private WebApplication? _app;
    private int _port;
    private long _tsCounter;
    private int _viewCounter;

    private SlackFake(string botToken, TimeProvider time)
    {
        BotToken = botToken;
        _time = time;
    }

    public string BotToken { get; }

    /// <summary>The value for <c>Slack:ApiBaseUrl</c>.</summary>
    public Uri ApiBaseUrl => new($"http://127.0.0.1:{_port}/api/");

    public static async Task<SlackFake> StartNew(string botToken = DefaultBotToken, TimeProvider? time = null)
    {
        var fake = new SlackFake(botToken, time ?? TimeProvider.System);
        await fake.Start();
        return fake;
    }

    /// <summary>Starts listening; after <see cref="Stop"/> it comes back on the same port.</summary>
    public async Task Start()
    {
        if (_app is not null)
            return;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        var app = builder.Build();
        app.MapPost("/api/{method}", (string method, HttpRequest request) => HandleApi(method, request));
        app.MapPost("/respond/{id}", (string id, HttpRequest request) => HandleRespond(id, request));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        _port = new Uri(address).Port;
        _app = app;
    }

    /// <summary>Closes the listener: clients now get "connection refused", as when Slack is unreachable.</summary>
    public async Task Stop()
    {
        if (_app is not { } app)
            return;
        _app = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await Stop();

    public Uri ResponseUrl(string id) => new($"http://127.0.0.1:{_port}/respond/{Uri.EscapeDataString(id)}");

    public void AddUser(string id, string email, string realName, string tz = "Europe/Berlin")
    {
        lock (_gate)
            _users[id] = new SlackFakeUser(id, email, realName, tz);
    }

    /// <summary>A public channel the bot is a member of, for posts outside DMs.</summary>
    public void AddChannel(string id)
    {
        lock (_gate)
            _channels.Add(id);
    }

    /// <summary>The next <paramref name="count"/> calls to <paramref name="method"/> answer <c>ok:false</c> with <paramref name="error"/>.</summary>
    public void FailNext(string method, string error, int count = 1) => Enqueue(method, new Script(200, error, null), count);

    public void RateLimitNext(string method, int retryAfterSeconds, int count = 1) =>
        Enqueue(method, new Script(429, "ratelimited", retryAfterSeconds), count);

    public void ServerErrorNext(string method, int count = 1) => Enqueue(method, new Script(500, null, null), count);

    /// <summary>The next calls to <paramref name="method"/> are answered only after <paramref name="delay"/>, to exercise client timeouts.</summary>
    public void DelayNext(string method, TimeSpan delay, int count = 1)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
                _delays.Add((method, delay));
        }
    }

    /// <summary>
    /// The next calls to <paramref name="method"/> take effect at once but are answered only after <paramref name="delay"/>:
    /// the client times out (or dies) without learning that Slack accepted the call.
    /// </summary>
    public void AnswerLate(string method, TimeSpan delay, int count = 1)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
                _lateAnswers.Add((method, delay));
        }
    }

    /// <summary>
    /// Calls to <paramref name="method"/> whose body names <paramref name="value"/> (a user id, an email) are not answered
    /// until the hold is released: Slack being slow for one person only.
    /// </summary>
    public SlackFakeHold Hold(string method, string value)
    {
        var hold = new SlackFakeHold(method, value);
        lock (_gate)
            _holds.Add(hold);
        return hold;
    }

    public IReadOnlyList<SlackFakeCall> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    /// <summary>Why each call refused as <c>invalid_blocks</c> (or a view as <c>invalid_arguments</c>) was refused, oldest first.</summary>
    public IReadOnlyList<string> Refusals
    {
        get { lock (_gate) return [.. _refusals]; }
    }

    public IReadOnlyList<SlackFakeCall> CallsTo(string method) => [.. Calls.Where(c => c.Method == method)];

    /// <summary>Posted messages in posting order, each as it reads after any updates.</summary>
    public IReadOnlyList<SlackFakeMessage> Messages
    {
        get { lock (_gate) return [.. _messageOrder.Select(key => Snapshot(_messages[key]))]; }
    }

    public SlackFakeMessage? Message(string channel, string ts)
    {
        lock (_gate)
            return _messages.TryGetValue((channel, ts), out var m) ? Snapshot(m) : null;
    }

    /// <summary>The Home tab last published for a user.</summary>
    public JsonObject? HomeView(string userId)
    {
        lock (_gate)
            return _homeViews.TryGetValue(userId, out var v) ? (JsonObject)v.DeepClone() : null;
    }

    public string DirectChannelOf(string userId)
    {
        lock (_gate)
            return DirectChannel(userId);
    }

    /// <summary>Polls every 20 ms until <paramref name="condition"/> holds; fails with every call so far when it never does.</summary>
    public async Task WaitFor(Func<SlackFake, bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var started = TimeProvider.System.GetTimestamp();
        while (!condition(this))
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
                Assert.Fail($"Slack fake: {what ?? "condition"} not met within {limit.TotalSeconds:0.#} s. Calls:\n{Dump()}");
            await Task.Delay(20);
        }
    }

    public string Dump()
    {
        var calls = Calls;
        return calls.Count == 0 ? "(none)" : string.Join('\n', calls);
    }

    private void Enqueue(string method, Script script, int count)
    {
        lock (_gate)
        {
            if (!_scripts.TryGetValue(method, out var queue))
                _scripts[method] = queue = new Queue<Script>();
            for (var i = 0; i < count; i++)
                queue.Enqueue(script);
        }
    }

    private async Task<IResult> HandleApi(string method, HttpRequest request)
    {
        var (body, formToken) = await ReadBody(request, formOnly: FormOnlyMethods.Contains(method));
        var token = BearerToken(request) ?? formToken;
        SlackFakeHold? hold;
        lock (_gate)
            hold = _holds.FirstOrDefault(h => h.Matches(method, body));
        if (hold is not null)
        {
            try
            {
                await hold.Wait(request.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return Results.Empty;
            }
        }
        if (TakeDelay(method) is { } delay)
        {
            try
            {
                await Task.Delay(delay, request.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return Results.Empty;
            }
        }
        var result = Answer(method, body, token, request.ContentType);
        if (Take(_lateAnswers, method) is { } late)
        {
            try
            {
                await Task.Delay(late, request.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return Results.Empty;
            }
        }
        return result;
    }

    private IResult Answer(string method, JsonObject body, string? token, string? contentType)
    {
        lock (_gate)
        {
            _calls.Add(new SlackFakeCall(method, body, _time.GetUtcNow(), token, contentType));

            if (token is null)
                return Error("not_authed");
            if (token != BotToken)
                return Error("invalid_auth");

            if (Scripted(method) is { } scripted)
                return scripted;

            return method switch
            {
                "conversations.history" => History(body, thread: false),
                "conversations.replies" => History(body, thread: true),
                "conversations.open" => ConversationsOpen(body),
                "chat.postMessage" => PostMessage(body),
                "chat.update" => Update(body),
                "chat.postEphemeral" => PostEphemeral(body),
                "users.info" => UsersInfo(body),
                "users.lookupByEmail" => LookupByEmail(body),
                "views.open" => ViewsOpen(body),
                "views.publish" => ViewsPublish(body),
                _ => Error("unknown_method"),
            };
        }
    }

    private async Task<IResult> HandleRespond(string id, HttpRequest request)
    {
        var method = $"respond/{id}";
        var (body, _) = await ReadBody(request, formOnly: false);
        lock (_gate)
        {
            _calls.Add(new SlackFakeCall(method, body, _time.GetUtcNow(), BearerToken(request), request.ContentType));
            if (_scripts.TryGetValue(method, out var queue) && queue.TryDequeue(out var script))
            {
                // response_url answers in plain text, not Web API JSON.
                return script.Status == 200
                    ? Results.Text(script.Error, statusCode: 404)
                    : Results.Text("internal_error", statusCode: script.Status);
            }
            return Results.Text("ok");
        }
    }

    private TimeSpan? TakeDelay(string method) => Take(_delays, method);

    private TimeSpan? Take(List<(string Method, TimeSpan Delay)> delays, string method)
    {
        lock (_gate)
        {
            var index = delays.FindIndex(d => d.Method == method);
            if (index < 0)
                return null;
            var delay = delays[index].Delay;
            delays.RemoveAt(index);
            return delay;
        }
    }

    // Newest first, as Slack returns them; metadata only when asked for, as on real Slack.
    private IResult History(JsonObject body, bool thread)
    {
        if (ResolveChannel(Str(body, "channel")) is not { } channel)
            return Error("channel_not_found");
        var parent = Str(body, "ts");
        if (thread && (parent is null || !_messages.ContainsKey((channel, parent))))
            return Error("thread_not_found");
        var withMetadata = Str(body, "include_all_metadata") is "true" or "1";
        var limit = int.TryParse(Str(body, "limit"), CultureInfo.InvariantCulture, out var l) ? l : 100;
        var messages = new JsonArray();
        foreach (var key in Enumerable.Reverse(_messageOrder))
        {
            var m = _messages[key];
            if (m.Channel != channel) continue;
            if (thread ? m.Ts != parent && m.ThreadTs != parent : m.ThreadTs is not null) continue;
            var json = new JsonObject { ["type"] = "message", ["ts"] = m.Ts, ["text"] = m.Text };
            if (withMetadata && m.Metadata is not null) json["metadata"] = m.Metadata.DeepClone();
            messages.Add(json);
            if (messages.Count >= limit) break;
        }
        return Ok(new JsonObject { ["messages"] = messages, ["has_more"] = false });
    }

    private IResult? Scripted(string method)
    {
        if (!_scripts.TryGetValue(method, out var queue) || !queue.TryDequeue(out var script))
            return null;
        return script.Status switch
        {
            200 => Error(script.Error!),
            429 => new RateLimited(script.RetryAfterSeconds ?? 1),
            _ => Results.Text("<html>Internal Server Error</html>", "text/html", statusCode: script.Status),
        };
    }

    private IResult ConversationsOpen(JsonObject body)
    {
        var users = Str(body, "users");
        if (users is null)
            return Error("users_list_not_supplied");
        if (!_users.ContainsKey(users))
            return Error("user_not_found");
        return Ok(new JsonObject { ["channel"] = new JsonObject { ["id"] = DirectChannel(users) } });
    }

    private IResult PostMessage(JsonObject body)
    {
        if (ResolveChannel(Str(body, "channel")) is not { } channel)
            return Error("channel_not_found");
        var text = Str(body, "text");
        var blocks = Blocks(body);
        if (string.IsNullOrEmpty(text) && blocks is null)
            return Error("no_text");
        if (Invalid("chat.postMessage", text, blocks) is { } invalid)
            return invalid;

        var ts = NextTs();
        var message = new SlackFakeMessage(channel, ts, text, blocks, Str(body, "thread_ts"), body["metadata"]?.DeepClone() as JsonObject, 0);
        _messages[(channel, ts)] = message;
        _messageOrder.Add((channel, ts));
        return Ok(new JsonObject
        {
            ["channel"] = channel,
            ["ts"] = ts,
            ["message"] = new JsonObject
            {
                ["type"] = "message",
                ["text"] = text,
                ["ts"] = ts,
                ["blocks"] = blocks?.DeepClone(),
            },
        });
    }

    private IResult Update(JsonObject body)
    {
        if (ResolveChannel(Str(body, "channel")) is not { } channel)
            return Error("channel_not_found");
        var ts = Str(body, "ts");
        if (ts is null || !_messages.TryGetValue((channel, ts), out var existing))
            return Error("message_not_found");

        var text = Str(body, "text") ?? existing.Text;
        var blocks = body.ContainsKey("blocks") ? Blocks(body) : existing.Blocks;
        if (Invalid("chat.update", text, blocks) is { } invalid)
            return invalid;
        _messages[(channel, ts)] = existing with { Text = text, Blocks = blocks, Updates = existing.Updates + 1 };
        return Ok(new JsonObject { ["channel"] = channel, ["ts"] = ts, ["text"] = text });
    }

    private IResult PostEphemeral(JsonObject body)
    {
        if (ResolveChannel(Str(body, "channel")) is null)
            return Error("channel_not_found");
        if (Str(body, "user") is not { } user || !_users.ContainsKey(user))
            return Error("user_not_in_channel");
        if (string.IsNullOrEmpty(Str(body, "text")) && Blocks(body) is null)
            return Error("no_text");
        if (Invalid("chat.postEphemeral", Str(body, "text"), Blocks(body)) is { } invalid)
            return invalid;
        return Ok(new JsonObject { ["message_ts"] = NextTs() });
    }

    private IResult UsersInfo(JsonObject body)
    {
        var id = Str(body, "user");
        if (id is null)
            return Error("invalid_arguments");
        return _users.TryGetValue(id, out var user) ? Ok(new JsonObject { ["user"] = UserJson(user) }) : Error("user_not_found");
    }

    private IResult LookupByEmail(JsonObject body)
    {
        var email = Str(body, "email");
        if (email is null)
            return Error("invalid_arguments");
        var user = _users.Values.FirstOrDefault(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase));
        return user is null ? Error("users_not_found") : Ok(new JsonObject { ["user"] = UserJson(user) });
    }

    private IResult ViewsOpen(JsonObject body)
    {
        if (string.IsNullOrEmpty(Str(body, "trigger_id")))
            return Error("invalid_arguments");
        if (View(body) is not { } view || Str(view, "type") != "modal")
            return Error("invalid_arguments");
        if (InvalidView("views.open", view) is { } invalid)
            return invalid;
        return Ok(new JsonObject { ["view"] = WithId(view) });
    }

    private IResult ViewsPublish(JsonObject body)
    {
        if (Str(body, "user_id") is not { } userId || !_users.ContainsKey(userId))
            return Error("user_not_found");
        if (View(body) is not { } view || Str(view, "type") != "home")
            return Error("invalid_arguments");
        if (InvalidView("views.publish", view) is { } invalid)
            return invalid;
        var published = WithId(view);
        _homeViews[userId] = (JsonObject)published.DeepClone();
        return Ok(new JsonObject { ["view"] = published });
    }

    // Slack truncates text past 40,000 characters and refuses blocks past Block Kit's limits; the fake refuses both.
    private IResult? Invalid(string method, string? text, JsonArray? blocks)
    {
        var why = text is { Length: > 40000 } ? $"text of {text.Length} characters" : blocks is null ? null : BlockKitRules.CheckMessage(blocks);
        if (why is null)
            return null;
        _refusals.Add($"{method}: {why}");
        return Error(text is { Length: > 40000 } ? "msg_too_long" : "invalid_blocks");
    }

    private IResult? InvalidView(string method, JsonObject view)
    {
        if (BlockKitRules.CheckView(view) is not { } why)
            return null;
        _refusals.Add($"{method}: {why}");
        return Error("invalid_arguments");
    }

    private JsonObject WithId(JsonObject view)
    {
        var copy = (JsonObject)view.DeepClone();
        copy["id"] = $"V{++_viewCounter:D8}";
        return copy;
    }

    private string? ResolveChannel(string? channel)
    {
        if (channel is null)
            return null;
        if (_channels.Contains(channel) || _dmChannels.ContainsValue(channel))
            return channel;
        // Slack accepts a user id as channel for chat.postMessage and delivers to that user's DM.
        return _users.ContainsKey(channel) ? DirectChannel(channel) : null;
    }

    private string DirectChannel(string userId)
    {
        if (!_dmChannels.TryGetValue(userId, out var channel))
            _dmChannels[userId] = channel = $"D{_dmChannels.Count + 1:D8}";
        return channel;
    }

    private string NextTs() => $"1700000000.{++_tsCounter:D6}";

    private static JsonObject UserJson(SlackFakeUser user) => new()
    {
        ["id"] = user.Id,
        ["name"] = user.Email.Split('@')[0],
        ["real_name"] = user.RealName,
        ["tz"] = user.Tz,
        ["tz_offset"] = TimeZoneInfo.TryFindSystemTimeZoneById(user.Tz, out var zone) ? (int)zone.BaseUtcOffset.TotalSeconds : 0,
        ["is_bot"] = false,
        ["profile"] = new JsonObject { ["email"] = user.Email, ["real_name"] = user.RealName },
    };

    private static SlackFakeMessage Snapshot(SlackFakeMessage m) => m with
    {
        Blocks = m.Blocks?.DeepClone() as JsonArray,
        Metadata = m.Metadata?.DeepClone() as JsonObject,
    };

    private static string? Str(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    // Form posts carry blocks and views as JSON text; JSON posts carry them inline.
    private static JsonArray? Blocks(JsonObject body) => body["blocks"] switch
    {
        JsonArray array => (JsonArray)array.DeepClone(),
        JsonValue value when value.TryGetValue<string>(out var text) => JsonNode.Parse(text) as JsonArray,
        _ => null,
    };

    private static JsonObject? View(JsonObject body) => body["view"] switch
    {
        JsonObject view => view,
        JsonValue value when value.TryGetValue<string>(out var text) => JsonNode.Parse(text) as JsonObject,
        _ => null,
    };

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
    }

    private static async Task<(JsonObject Body, string? FormToken)> ReadBody(HttpRequest request, bool formOnly)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            var body = new JsonObject();
            foreach (var (key, value) in form)
                body[key] = value.ToString();
            var token = Str(body, "token");
            body.Remove("token");
            return (body, token);
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        if (formOnly || string.IsNullOrWhiteSpace(text))
            return (new JsonObject { ["_raw"] = text }, null);
        try
        {
            return (JsonNode.Parse(text) as JsonObject ?? new JsonObject { ["_raw"] = text }, null);
        }
        catch (JsonException)
        {
            return (new JsonObject { ["_raw"] = text }, null);
        }
    }

    private static IResult Ok(JsonObject payload)
    {
        var body = new JsonObject { ["ok"] = true };
        foreach (var (key, value) in payload)
            body[key] = value?.DeepClone();
        return Results.Text(body.ToJsonString(), "application/json; charset=utf-8");
    }

    private static IResult Error(string error) =>
        Results.Text(new JsonObject { ["ok"] = false, ["error"] = error }.ToJsonString(), "application/json; charset=utf-8");

    private sealed record Script(int Status, string? Error, int? RetryAfterSeconds);

    private sealed class RateLimited(int retryAfterSeconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            httpContext.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            return httpContext.Response.WriteAsync("""{"ok":false,"error":"ratelimited"}""");
        }
    }
}

/// <summary>Calls held by <see cref="SlackFake.Hold"/>: <see cref="Reached"/> completes when the first one arrives.</summary>
internal sealed class SlackFakeHold(string method, string value)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => _reached.Task;

    public bool Released => _released.Task.IsCompleted;

    public void Release() => _released.TrySetResult();

    internal bool Matches(string calledMethod, JsonObject body) =>
        !Released && calledMethod == method && body.Any(p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) && s == value);

    internal Task Wait(CancellationToken cancellationToken)
    {
        _reached.TrySetResult();
        return _released.Task.WaitAsync(cancellationToken);
    }
}
