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

/// <summary>One request the fake received: which operation, on which conversation, with what body.</summary>
internal sealed record BotConnectorCall(string Operation, string ConversationId, string? ActivityId, JsonObject? Body, DateTimeOffset At)
{
    public override string ToString() => $"{At:HH:mm:ss.fff} {Operation} {ConversationId} {ActivityId} {Body?.ToJsonString()}";
}

/// <summary>An activity as it stands now in the fake's conversation, after any updates.</summary>
internal sealed record BotConnectorActivity(string ConversationId, string Id, JsonObject Activity, int Updates)
{
    public string? Text => (string?)Activity["text"];

    /// <summary>The Adaptive Card attached to the activity, if any.</summary>
    public JsonObject? Card =>
        Activity["attachments"] is JsonArray attachments
            ? attachments.OfType<JsonObject>().FirstOrDefault(a => (string?)a["contentType"] == "application/vnd.microsoft.card.adaptive")?["content"] as JsonObject
            : null;
}

internal sealed record BotConnectorMember(string Id, string Name, string AadObjectId, string Email, string UserPrincipalName, string TenantId);

/// <summary>
/// The Bot Connector service that Teams activities name as their <c>serviceUrl</c>, on a real loopback HTTP listener, so
/// that the SDK's own ConnectorClient is what the tests exercise. Records every call; failures can be scripted.
/// </summary>
internal sealed class BotConnectorFake : IAsyncDisposable
{
    /// <summary>A new activity, whether sent to the conversation or as a reply (proactive sends through the SDK are replies).</summary>
    public const string Send = "send";
    public const string Update = "update";
    public const string Create = "create";
    public const string Member = "member";

    private readonly object _gate = new();
    private readonly List<BotConnectorCall> _calls = [];
    private readonly Dictionary<string, BotConnectorMember> _members = [];
    private readonly Dictionary<(string Conversation, string Id), BotConnectorActivity> _activities = [];
    private readonly List<(string Conversation, string Id)> _order = [];
    private readonly Dictionary<string, Queue<(int Status, int? RetryAfter)>> _scripts = [];
    private WebApplication? _app;
    private int _port;
    private int _counter;

    public Uri ServiceUrl => new($"http://127.0.0.1:{_port}/");

    public static async Task<BotConnectorFake> StartNew()
    {
        var fake = new BotConnectorFake();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v3/conversations", fake.CreateConversation);
        app.MapPost("/v3/conversations/{conversationId}/activities", (string conversationId, HttpRequest request) => fake.Post(Send, conversationId, null, request));
        app.MapPost("/v3/conversations/{conversationId}/activities/{activityId}",
            (string conversationId, string activityId, HttpRequest request) => fake.Post(Send, conversationId, activityId, request));
        app.MapPut("/v3/conversations/{conversationId}/activities/{activityId}", fake.PutActivity);
        app.MapGet("/v3/conversations/{conversationId}/members/{userId}", fake.GetMember);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        fake._port = new Uri(address).Port;
        fake._app = app;
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app) await app.DisposeAsync();
    }

    public void AddMember(BotConnectorMember member)
    {
        lock (_gate) _members[member.Id] = member;
    }

    /// <summary>The next <paramref name="count"/> calls of <paramref name="operation"/> answer <paramref name="status"/>.</summary>
    public void FailNext(string operation, int status, int count = 1, int? retryAfterSeconds = null)
    {
        lock (_gate)
        {
            if (!_scripts.TryGetValue(operation, out var queue)) _scripts[operation] = queue = new();
            for (var i = 0; i < count; i++) queue.Enqueue((status, retryAfterSeconds));
        }
    }

    public IReadOnlyList<BotConnectorCall> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    public IReadOnlyList<BotConnectorCall> CallsTo(string operation) => [.. Calls.Where(c => c.Operation == operation)];

    /// <summary>Activities the bot posted into a conversation, oldest first, each as it stands now.</summary>
    public IReadOnlyList<BotConnectorActivity> Activities(string conversationId)
    {
        lock (_gate) return [.. _order.Where(k => k.Conversation == conversationId).Select(k => _activities[k])];
    }

    public IReadOnlyList<BotConnectorActivity> Cards(string conversationId) => [.. Activities(conversationId).Where(a => a.Card is not null)];

    public async Task WaitFor(Func<BotConnectorFake, bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var started = TimeProvider.System.GetTimestamp();
        while (!condition(this))
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
                Assert.Fail($"Bot Connector fake: {what} not met within {limit.TotalSeconds:0.#} s. Calls:\n{string.Join('\n', Calls)}");
            await Task.Delay(20);
        }
    }

    private async Task<IResult> Post(string operation, string conversationId, string? replyTo, HttpRequest request)
    {
        var body = await ReadAsync(request);
        if (Record(operation, conversationId, replyTo, body) is { } failure) return failure;
        lock (_gate)
        {
            var id = $"act-{++_counter}";
            _activities[(conversationId, id)] = new BotConnectorActivity(conversationId, id, body ?? [], 0);
            _order.Add((conversationId, id));
            return Results.Json(new { id });
        }
    }

    private async Task<IResult> PutActivity(string conversationId, string activityId, HttpRequest request)
    {
        var body = await ReadAsync(request);
        if (Record(Update, conversationId, activityId, body) is { } failure) return failure;
        lock (_gate)
        {
            if (!_activities.TryGetValue((conversationId, activityId), out var existing))
                return Error(404, "ActivityNotFound", $"No activity {activityId} in {conversationId}.");
            _activities[(conversationId, activityId)] = existing with { Activity = body ?? [], Updates = existing.Updates + 1 };
            return Results.Json(new { id = activityId });
        }
    }

    private async Task<IResult> CreateConversation(HttpRequest request)
    {
        var body = await ReadAsync(request);
        if (Record(Create, "", null, body) is { } failure) return failure;
        var userId = (string?)body?["members"]?[0]?["id"];
        if (userId is null) return Error(400, "BadArgument", "members[0].id is required.");
        return Results.Json(new { id = $"a:personal-{userId}" });
    }

    private IResult GetMember(string conversationId, string userId)
    {
        if (Record(Member, conversationId, userId, null) is { } failure) return failure;
        lock (_gate)
        {
            return _members.TryGetValue(userId, out var m)
                ? Results.Json(new { id = m.Id, name = m.Name, aadObjectId = m.AadObjectId, email = m.Email, userPrincipalName = m.UserPrincipalName, tenantId = m.TenantId })
                : Error(404, "MemberNotFoundInConversation", $"{userId} is not a member of {conversationId}.");
        }
    }

    private IResult? Record(string operation, string conversationId, string? activityId, JsonObject? body)
    {
        lock (_gate)
        {
            _calls.Add(new BotConnectorCall(operation, conversationId, activityId, body, DateTimeOffset.UtcNow));
            if (!_scripts.TryGetValue(operation, out var queue) || !queue.TryDequeue(out var script)) return null;
            if (script.RetryAfter is { } seconds) return new RetryAfterResult(script.Status, seconds);
            return Error(script.Status, "Scripted", $"scripted {script.Status}");
        }
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { code, message } }, statusCode: status);

    private static async Task<JsonObject?> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
    }

    private sealed class RetryAfterResult(int status, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return httpContext.Response.WriteAsJsonAsync(new { error = new { code = "Throttled", message = "slow down" } });
        }
    }
}
