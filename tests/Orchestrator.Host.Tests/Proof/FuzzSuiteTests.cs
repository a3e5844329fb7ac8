using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using Xunit.Abstractions;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Proof;

/// <summary>One endpoint under fuzz: how to make a valid request for it, from which the fuzzer mutates.</summary>
internal sealed record FuzzTarget(string Path, HttpMethod Method, FuzzShape Shape, int Cases);

internal enum FuzzShape { SlackForm, SlackInteraction, SlackEvent, BotActivity, Get, Json }

/// <summary>
/// Thousands of seeded random and mutated requests against every endpoint, through the real host: never a 5xx; anything
/// unsigned, forged or from a caller who may not call changes nothing in the store; and the host is healthy after.
/// </summary>
public sealed class FuzzSuiteTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Every endpoint the host serves. A new endpoint is one more line (the HTTP API's land here when merged).</summary>
    internal static readonly FuzzTarget[] Targets =
    [
        new("/slack/commands", HttpMethod.Post, FuzzShape.SlackForm, 2_000),
        new("/slack/interactions", HttpMethod.Post, FuzzShape.SlackInteraction, 2_000),
        new("/slack/events", HttpMethod.Post, FuzzShape.SlackEvent, 2_000),
        new("/api/messages", HttpMethod.Post, FuzzShape.BotActivity, 1_500),
        new("/healthz", HttpMethod.Get, FuzzShape.Get, 500),
        new("/readyz", HttpMethod.Get, FuzzShape.Get, 500),
        new("/metrics", HttpMethod.Get, FuzzShape.Get, 200),
        new("/api/v1/workflows/purchase/instances", HttpMethod.Post, FuzzShape.Json, 1_000),
        new("/api/v1/instances/purchase-1/events", HttpMethod.Post, FuzzShape.Json, 1_000),
        new("/api/v1/instances?state=open&limit=5", HttpMethod.Get, FuzzShape.Get, 300),
        new("/api/v1/instances/purchase-1", HttpMethod.Get, FuzzShape.Get, 300),
    ];

    private const int Seed = 7_2026;
    private readonly List<string> _failures = [];
    private SlackFake _slack = null!;
    private BotConnectorFake _connector = null!;
    private TestHost _host = null!;
    private string _apiKey = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _connector = await TeamsStory.StartConnector();
        _host = TestHost.Start(_slack);
        _apiKey = _host.Services.GetRequiredService<Orchestrator.Host.Api.ApiKeyStore>().Create("fuzz", DateTimeOffset.UtcNow).Key!;
        // Something to point at: a live request with a card, so mutated clicks and commands meet real state.
        await _host.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _connector.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Unsigned_forged_and_unauthorised_requests_get_no_5xx_and_change_nothing()
    {
        var fuzz = new Fuzzer(Seed);
        var before = await SettledFingerprint();
        var watch = Stopwatch.StartNew();
        var sent = 0;
        foreach (var target in Targets)
        {
            for (var i = 0; i < target.Cases; i++, sent++)
            {
                using var request = Forged(fuzz, target);
                await Send(request, target, i, expectRefusal: target.Shape is not FuzzShape.Get);
            }
        }
        await Task.Delay(200); // anything wrongly recorded would be picked up by now
        AssertNoFailures();
        Assert.Equal(before, Fingerprint());
        await AssertHealthy();
        output.WriteLine($"{sent} forged requests in {watch.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Signed_and_local_requests_with_mutated_shapes_get_no_5xx_and_leave_the_host_healthy()
    {
        var fuzz = new Fuzzer(Seed + 1);
        var watch = Stopwatch.StartNew();
        var sent = 0;
        foreach (var target in Targets)
        {
            for (var i = 0; i < target.Cases; i++, sent++)
            {
                using var request = Mutated(fuzz, target);
                await Send(request, target, i, expectRefusal: false);
            }
        }
        AssertNoFailures();
        await AssertHealthy();
        // The request started before the fuzz is still whole and readable.
        Assert.NotNull(_host.Store.Get("purchase-1"));
        output.WriteLine($"{sent} mutated requests in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private async Task Send(HttpRequestMessage request, FuzzTarget target, int index, bool expectRefusal)
    {
        var description = $"{target.Method} {target.Path} case {index}: {request.Content?.Headers.ContentType} {Preview(request)}";
        HttpResponseMessage response;
        try
        {
            response = await _host.Client.SendAsync(request);
        }
        catch (Exception ex)
        {
            _failures.Add($"{description}\nthe host threw: {ex}");
            return;
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            // 501 is the Bot Framework's own answer to an invoke the bot does not implement (ActivityHandler's default),
            // which Teams expects; it is not a fault of the host.
            if (status >= 500 && !(status == 501 && target.Shape == FuzzShape.BotActivity)) _failures.Add($"{description}\nanswered {status}: {await response.Content.ReadAsStringAsync()}");
            else if (expectRefusal && status is < 400) _failures.Add($"{description}\nwas not refused: {status}");
        }
    }

    private void AssertNoFailures() =>
        Assert.True(_failures.Count == 0, $"{_failures.Count} failures; the first ones:\n{string.Join("\n\n", _failures.Take(5))}");

    private HttpRequestMessage Forged(Fuzzer fuzz, FuzzTarget target)
    {
        var (body, contentType) = Body(fuzz, target, mutate: fuzz.Chance(50));
        var request = Request(target, body, fuzz.ContentType(contentType));
        switch (target.Shape)
        {
            case FuzzShape.SlackForm or FuzzShape.SlackInteraction or FuzzShape.SlackEvent:
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var timestamp = fuzz.Random.Next(6) switch
                {
                    0 => (now - 301 - fuzz.Random.Next(100_000)).ToString(CultureInfo.InvariantCulture),
                    1 => (now + 301 + fuzz.Random.Next(100_000)).ToString(CultureInfo.InvariantCulture),
                    2 => fuzz.Pick(["", "-1", "abc", "99999999999999999999999", "1e9", " 1700000000", "0x10", "٣"]),
                    _ => now.ToString(CultureInfo.InvariantCulture),
                };
                var validForOther = SlackSignatureVerifier.Sign(TestHost.SigningSecret, timestamp, Encoding.UTF8.GetBytes("other body"));
                var signature = fuzz.Random.Next(7) switch
                {
                    0 => null,
                    1 => "",
                    2 => SlackSignatureVerifier.Sign("wrong-secret", timestamp, body),
                    3 => validForOther,
                    4 => "v0=" + new string('0', 64),
                    5 => fuzz.Pick(["v1=" + validForOther[3..], validForOther.ToUpperInvariant(), validForOther[..^1], validForOther + "00", "v0=zz", "v0=", fuzz.Text(70)]),
                    // A genuine signature over a stale or malformed timestamp, or one header left out.
                    _ => timestamp.Length > 0 && fuzz.Chance(50) ? SlackSignatureVerifier.Sign(TestHost.SigningSecret, timestamp, body) : null,
                };
                if (timestamp == now.ToString(CultureInfo.InvariantCulture) && signature is not null && signature == SlackSignatureVerifier.Sign(TestHost.SigningSecret, timestamp, body))
                    signature = "v0=" + new string('f', 64); // the only valid combination is not forged; make it so
                if (fuzz.Chance(90)) request.Headers.TryAddWithoutValidation("X-Slack-Request-Timestamp", timestamp);
                if (signature is not null) request.Headers.TryAddWithoutValidation("X-Slack-Signature", signature);
                if (fuzz.Chance(20)) request.Headers.TryAddWithoutValidation("X-Slack-Retry-Num", fuzz.Pick(["1", "-1", "x", "99999999999"]));
                break;
            case FuzzShape.BotActivity:
                // Without MicrosoftAppId only this machine may call; a caller elsewhere, or one behind a proxy, must be refused.
                if (fuzz.Chance(60)) request.Headers.Add(RemoteAddressFilter.Header, fuzz.Pick(["203.0.113.7", "10.0.0.1", "::ffff:198.51.100.2", "2001:db8::1", "0.0.0.0"]));
                else request.Headers.TryAddWithoutValidation(fuzz.Pick(["X-Forwarded-For", "Forwarded"]), fuzz.Pick(["203.0.113.7", "for=198.51.100.2", "127.0.0.1", "unknown"]));
                if (fuzz.Chance(30)) request.Headers.TryAddWithoutValidation("Authorization", fuzz.Pick(["Bearer x", "Bearer " + fuzz.Text(300), "Basic abc", ""]));
                break;
            default:
                AddNoiseHeaders(fuzz, request);
                break;
        }
        return request;
    }

    private HttpRequestMessage Mutated(Fuzzer fuzz, FuzzTarget target)
    {
        var (body, contentType) = Body(fuzz, target, mutate: fuzz.Chance(85));
        var request = Request(target, body, fuzz.ContentType(contentType));
        if (target.Shape is FuzzShape.SlackForm or FuzzShape.SlackInteraction or FuzzShape.SlackEvent)
        {
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.TryAddWithoutValidation("X-Slack-Request-Timestamp", timestamp);
            request.Headers.TryAddWithoutValidation("X-Slack-Signature", SlackSignatureVerifier.Sign(TestHost.SigningSecret, timestamp, body));
            if (fuzz.Chance(10)) request.Headers.TryAddWithoutValidation("X-Slack-Retry-Num", fuzz.Pick(["1", "2", "x"]));
        }
        // The HTTP API with a real key, so the bodies reach the parser and the engine, not just the key check.
        if (target.Path.StartsWith("/api/v1/", StringComparison.Ordinal) && fuzz.Chance(90))
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {_apiKey}");
        AddNoiseHeaders(fuzz, request);
        return request;
    }

    private (byte[] Body, string ContentType) Body(Fuzzer fuzz, FuzzTarget target, bool mutate)
    {
        const string form = "application/x-www-form-urlencoded";
        const string json = "application/json";
        var kind = fuzz.Random.Next(20);
        if (kind == 0) return ([], target.Shape is FuzzShape.SlackForm or FuzzShape.SlackInteraction ? form : json);
        if (kind == 1) return (fuzz.Noise(fuzz.Random.Next(1, 2048)), json);
        if (kind == 2) return (Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)), json);
        if (kind == 3) return (fuzz.Noise(300 * 1024), form); // past Slack's body limit

        (byte[] Body, string ContentType) result = target.Shape switch
        {
            FuzzShape.SlackForm => (Encoding.UTF8.GetBytes(TestHost.Form([.. (mutate ? fuzz.Mutate(CommandFields(fuzz)) : CommandFields(fuzz))])), form),
            FuzzShape.SlackInteraction => (Encoding.UTF8.GetBytes(InteractionForm(fuzz, mutate)), form),
            FuzzShape.SlackEvent => (Encoding.UTF8.GetBytes((mutate ? fuzz.Mutate(EventJson(fuzz)) : EventJson(fuzz)).ToJsonString()), json),
            FuzzShape.BotActivity => (Encoding.UTF8.GetBytes((mutate ? fuzz.Mutate(ActivityJson(fuzz)) : ActivityJson(fuzz)).ToJsonString()), json),
            FuzzShape.Json => (Encoding.UTF8.GetBytes((mutate ? fuzz.Mutate(ApiJson(fuzz, target)) : ApiJson(fuzz, target)).ToJsonString()), json),
            _ => (fuzz.Chance(20) ? fuzz.Noise(fuzz.Random.Next(0, 512)) : [], "text/plain"),
        };
        return kind == 4 && result.Body.Length > 0 ? (fuzz.Corrupt(result.Body), result.ContentType) : result;
    }

    private List<(string, string)> CommandFields(Fuzzer fuzz) =>
    [
        ("token", "ignored"), ("team_id", "T1"), ("channel_id", "C1"), ("user_id", fuzz.Pick([Alice, Bob, Carol, Mallory, "UNKNOWN", ""])),
        ("command", "/orchestrate"), ("text", fuzz.Pick(["help", "workflows", "start purchase amount=5 item=Pen", "start purchase", "status purchase-1", "mine", "requests",
            "cancel purchase-1", "delegate bob@example.com until 2030-01-01", "admin stuck", "admin reassign purchase-1 manager <@UBOB>", fuzz.Text(40), ""])),
        ("response_url", _slack.ResponseUrl($"fz-{fuzz.Random.Next()}").ToString()), ("trigger_id", $"fz-{fuzz.Random.Next()}"),
    ];

    private string InteractionForm(Fuzzer fuzz, bool mutate)
    {
        JsonNode payload = fuzz.Chance(70)
            ? TestHost.BlockAction(_slack, fuzz.Pick([Bob, Mallory, Alice]), fuzz.Pick(["approve", "reject", "request_info", "done", "other"]),
                fuzz.Pick(["purchase-1|" + fuzz.Text(4), "purchase-1", "x|y", "", "purchase-999|a1"]))
            : new JsonObject
            {
                ["type"] = "view_submission",
                ["user"] = new JsonObject { ["id"] = Bob },
                ["view"] = new JsonObject
                {
                    ["id"] = $"V{fuzz.Random.Next()}",
                    ["hash"] = "h",
                    ["callback_id"] = fuzz.Pick([SlackCards.RejectReasonCallback, SlackCards.StartFormCallback, "other"]),
                    ["private_metadata"] = fuzz.Pick(["purchase-1|a1", "purchase", "expense", "", "x"]),
                    ["state"] = new JsonObject { ["values"] = new JsonObject { [SlackCards.ReasonBlock] = new JsonObject { ["a"] = new JsonObject { ["value"] = "because" } } } },
                },
            };
        if (mutate) payload = fuzz.Mutate(payload);
        var fields = new List<(string, string)> { ("payload", payload.ToJsonString()) };
        return TestHost.Form([.. mutate && fuzz.Chance(30) ? fuzz.Mutate(fields) : fields]);
    }

    /// <summary>A valid body for the HTTP API target, for the mutations to start from.</summary>
    private static JsonObject ApiJson(Fuzzer fuzz, FuzzTarget target) => target.Path.EndsWith("/events", StringComparison.Ordinal)
        ? fuzz.Chance(50)
            ? new JsonObject { ["type"] = "comment", ["text"] = fuzz.Text(20), ["author"] = "erp" }
            : new JsonObject { ["type"] = "complete", ["step"] = "manager", ["system"] = "erp", ["comment"] = fuzz.Text(10) }
        : new JsonObject
        {
            ["requester"] = "alice@example.com",
            ["inputs"] = new JsonObject { ["amount"] = fuzz.Random.Next(-5, 5000), ["item"] = fuzz.Text(12) },
            ["external_ref"] = fuzz.Text(8),
        };

    private static JsonObject EventJson(Fuzzer fuzz) => fuzz.Chance(30)
        ? new JsonObject { ["type"] = "url_verification", ["challenge"] = fuzz.Text(20), ["token"] = "x" }
        : new JsonObject
        {
            ["type"] = "event_callback",
            ["team_id"] = "T1",
            ["event_id"] = $"Ev{fuzz.Random.Next()}",
            ["event_time"] = 1_700_000_000,
            ["event"] = new JsonObject
            {
                ["type"] = fuzz.Pick(["app_home_opened", "message", "app_mention", "reaction_added"]),
                ["channel_type"] = "im",
                ["user"] = fuzz.Pick([Alice, Bob, "UNKNOWN"]),
                ["channel"] = "D1",
                ["text"] = fuzz.Pick(["help", "<@UBOT> status", "mine", fuzz.Text(30)]),
                ["tab"] = "home",
                ["ts"] = "1700000000.000100",
            },
        };

    private JsonObject ActivityJson(Fuzzer fuzz)
    {
        var user = fuzz.Pick([TeamsStory.Alice, TeamsStory.Bob, TeamsStory.Carol]);
        return fuzz.Random.Next(3) switch
        {
            0 => TeamsStory.Message(_connector, user, fuzz.Pick(["help", "workflows", "mine", "status purchase-1", "start purchase amount=5 item=Pen", fuzz.Text(40)])),
            1 => TeamsStory.CardAction(_connector, user, fuzz.Pick(["approve", "reject", "done", "start", "other"]),
                new JsonObject { ["instance"] = "purchase-1", ["assignment"] = fuzz.Text(3), ["reason"] = fuzz.Text(10) }),
            _ => TeamsStory.Install(_connector, user),
        };
    }

    private static HttpRequestMessage Request(FuzzTarget target, byte[] body, string contentType)
    {
        var request = new HttpRequestMessage(target.Method, target.Path);
        if (target.Method != HttpMethod.Get || body.Length > 0)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType.Length > 0) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        return request;
    }

    private static void AddNoiseHeaders(Fuzzer fuzz, HttpRequestMessage request)
    {
        if (fuzz.Chance(20)) request.Headers.TryAddWithoutValidation(fuzz.Pick(["Accept", "Accept-Encoding", "X-Custom", "Cookie", "Range"]), fuzz.Text(fuzz.Random.Next(0, 200)));
        if (fuzz.Chance(5)) request.Headers.TryAddWithoutValidation("X-Huge", new string('h', 16_000));
    }

    /// <summary>The fingerprint once the setup's own deliveries have finished writing.</summary>
    private async Task<string> SettledFingerprint()
    {
        var last = Fingerprint();
        for (var i = 0; i < 50; i++)
        {
            await Task.Delay(200);
            var now = Fingerprint();
            if (now == last && _host.Store.AllOutbox().All(o => o.State != OutboxState.Pending)) return now;
            last = now;
        }
        return last;
    }

    /// <summary>How many documents each collection of the store holds: any write shows here.</summary>
    private string Fingerprint()
    {
        var db = ((LiteDbStore)_host.Store).Database;
        return string.Join(", ", db.GetCollectionNames().Order().Select(n => $"{n}={db.GetCollection(n).Count()}"));
    }

    private async Task AssertHealthy()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("/readyz")).StatusCode);
    }

    private static string Preview(HttpRequestMessage request)
    {
        if (request.Content is not ByteArrayContent content) return "(no body)";
        var bytes = content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 400));
        return $"{bytes.Length} bytes: {text}";
    }
}
