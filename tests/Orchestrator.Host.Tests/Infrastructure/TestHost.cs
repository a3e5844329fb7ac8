using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;

namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>The real ASP.NET host on a temporary LiteDB file, talking to a loopback Slack fake.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    public const string SigningSecret = "test-signing-secret";

    private readonly WebApplicationFactory<Program> _factory;

    private readonly TimeProvider _time;

    private TestHost(WebApplicationFactory<Program> factory, string dbPath, TimeProvider time)
    {
        _time = time;
        _factory = factory;
        DbPath = dbPath;
        Client = factory.CreateClient();
    }

    public string DbPath { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _factory.Services;
    public IStore Store => Services.GetRequiredService<IStore>();

    public static TestHost Start(SlackFake slack, string? dbPath = null, IDictionary<string, string?>? settings = null, TimeProvider? time = null,
        Action<IServiceCollection>? services = null, bool kestrel = false)
    {
        dbPath ??= Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
        var config = new Dictionary<string, string?>
        {
            ["Storage:Path"] = dbPath,
            ["Workflows:Path"] = Path.Combine(Repo.Root, "manifests", "workflows"),
            ["Directory:Path"] = Path.Combine(Repo.Root, "manifests", "directory.yaml"),
            ["Slack:BotToken"] = slack.BotToken,
            ["Slack:SigningSecret"] = SigningSecret,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Delivery:FirstRetryDelay"] = "00:00:00.200",
            ["Delivery:SweepInterval"] = "00:00:00.100",
            ["Delivery:ChannelPace"] = "00:00:00.050",
        };
        // Any server the factory starts besides the one UseKestrel names would take Kestrel's default 5000 otherwise.
        if (kestrel) config["urls"] = "http://127.0.0.1:0";
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) config[k] = v;
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in config) builder.UseSetting(key, value);
            builder.UseEnvironment("Development");
            if (time is not null) builder.ConfigureServices(services => services.AddSingleton(time));
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, RemoteAddressFilter>());
            if (services is not null) builder.ConfigureServices(services);
        });
        // On a real loopback port when the host must call itself (the playground's connector is the host's own).
        if (kestrel) factory.UseKestrel(0);
        return new TestHost(factory, dbPath, time ?? TimeProvider.System);
    }

    /// <summary>Posts a body to a Slack endpoint signed as Slack signs it.</summary>
    public Task<HttpResponseMessage> PostSigned(string path, string body, string contentType, DateTimeOffset? at = null, string? secret = null)
    {
        var timestamp = (at ?? _time.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", SlackSignatureVerifier.Sign(secret ?? SigningSecret, timestamp, bytes));
        return Client.SendAsync(request);
    }

    /// <summary>Sends <c>/orchestrate text</c>; its answers go to <c>respond/{responseId}</c> (see <c>SlackStory.ResponsesTo</c>).</summary>
    public Task<HttpResponseMessage> Command(SlackFake slack, string userId, string text, string? responseId = null) =>
        PostSigned("/slack/commands", Form(
            ("token", "ignored"), ("team_id", "T1"), ("channel_id", "C1"), ("user_id", userId), ("command", "/orchestrate"),
            ("text", text), ("response_url", slack.ResponseUrl(responseId ?? $"cmd-{Guid.NewGuid():N}").ToString()), ("trigger_id", $"trig-{Guid.NewGuid():N}")),
            "application/x-www-form-urlencoded");

    public Task<HttpResponseMessage> Click(SlackFake slack, string userId, string actionId, string value) =>
        Interaction(BlockAction(slack, userId, actionId, value));

    public static JsonObject BlockAction(SlackFake slack, string userId, string actionId, string value) => new()
    {
        ["type"] = "block_actions",
        ["user"] = new JsonObject { ["id"] = userId },
        ["trigger_id"] = $"trig-{Guid.NewGuid():N}",
        ["response_url"] = slack.ResponseUrl($"act-{Guid.NewGuid():N}").ToString(),
        ["actions"] = new JsonArray(new JsonObject { ["action_id"] = actionId, ["value"] = value, ["type"] = "button" }),
    };

    public Task<HttpResponseMessage> SubmitView(string userId, string callbackId, string privateMetadata, JsonObject values) =>
        Interaction(new JsonObject
        {
            ["type"] = "view_submission",
            ["user"] = new JsonObject { ["id"] = userId },
            ["view"] = new JsonObject
            {
                ["id"] = $"V{Guid.NewGuid():N}",
                ["hash"] = "h1",
                ["callback_id"] = callbackId,
                ["private_metadata"] = privateMetadata,
                ["state"] = new JsonObject { ["values"] = values },
            },
        });

    public Task<HttpResponseMessage> Interaction(JsonObject payload) =>
        PostSigned("/slack/interactions", Form(("payload", payload.ToJsonString())), "application/x-www-form-urlencoded");

    public static string Form(params (string Key, string Value)[] fields) =>
        string.Join("&", fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }
}

/// <summary>
/// The in-memory test server has no client address; this gives every request loopback, as a local caller has, unless
/// the test names another address in <see cref="RemoteAddressFilter.Header"/>.
/// </summary>
internal sealed class RemoteAddressFilter : IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, proceed) =>
        {
            context.Connection.RemoteIpAddress = context.Request.Headers.TryGetValue(Header, out var value)
                ? IPAddress.Parse(value.ToString())
                : context.Connection.RemoteIpAddress ?? IPAddress.Loopback;
            context.Request.Headers.Remove(Header);
            return proceed();
        });
        next(app);
    };
}

internal static class Repo
{
    public static string Root { get; } = Find();

    /// <summary>The official JSON schemas copied into the repository (provenance and licences in its README).</summary>
    public static string Schemas => Path.Combine(Root, "tests", "schemas");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}
