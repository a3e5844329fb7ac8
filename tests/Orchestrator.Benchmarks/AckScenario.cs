using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Slack;

namespace Orchestrator.Benchmarks;

/// <summary>
/// Acknowledgement latency of signed <c>block_actions</c> posts to <c>/slack/interactions</c>, at 64 concurrent clients, on
/// the real host (<see cref="Program"/> with its production services, Kestrel on a loopback port, a LiteDB file). The ceiling
/// is a bare endpoint answering 200 in the same Kestrel process, added by a startup filter that exists only here, so no
/// production path carries a benchmark switch. Clients and server share this process (and its two cores) for both runs.
/// </summary>
internal static class AckScenario
{
    public const string BarePath = "/bench/bare";
    private const string Secret = "bench-signing-secret";

    public static async Task<IEnumerable<Figure>> Run(int requests, int clients, string folder)
    {
        await using var slack = await SlackStub.Start();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Path"] = Path.Combine(folder, "ack.db"),
            ["Workflows:Path"] = Path.Combine(Repo.Root, "manifests", "workflows"),
            ["Directory:Path"] = Path.Combine(Repo.Root, "manifests", "directory.yaml"),
            ["Slack:BotToken"] = "xoxb-bench",
            ["Slack:SigningSecret"] = Secret,
            ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            // The factory guesses the content root from the solution layout and guesses wrong for src/; name it.
            builder.UseContentRoot(Path.Combine(Repo.Root, "src", "Orchestrator.Host"));
            foreach (var (k, v) in settings) builder.UseSetting(k, v);
            builder.UseEnvironment("Production");
            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, BareEndpoint>());
        });
        factory.UseKestrel(0);
        factory.StartServer();
        factory.Services.GetRequiredService<CatalogLoader>().Load();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };

        // Warm both paths (JIT, connections, LiteDB pages) before anything is counted.
        await Load(http, "/slack/interactions", Bodies(slack, Math.Min(500, requests / 4)), clients);
        await Load(http, BarePath, Bodies(slack, Math.Min(500, requests / 4)), clients);

        // Alternate rounds so that noise from neighbours on the machine falls on both alike.
        var host = new List<double>();
        var bare = new List<double>();
        const int rounds = 4;
        for (var round = 0; round < rounds; round++)
        {
            bare.AddRange(await Load(http, BarePath, Bodies(slack, requests / rounds), clients));
            host.AddRange(await Load(http, "/slack/interactions", Bodies(slack, requests / rounds), clients));
        }
        host.Sort();
        bare.Sort();
        double hostP50 = Stats.Percentile(host, 50), hostP99 = Stats.Percentile(host, 99);
        double bareP50 = Stats.Percentile(bare, 50), bareP99 = Stats.Percentile(bare, 99);
        var note = $"{requests:N0} signed clicks, {clients} clients";
        return
        [
            new Figure("ack latency p50, /slack/interactions", hostP50, "ms", bareP50, "bare 200 endpoint, same Kestrel", "—", true, note),
            new Figure("ack latency p99, /slack/interactions", hostP99, "ms", bareP99, "bare 200 endpoint, same Kestrel", "≤ 50 ms and ≤ 3× bare",
                hostP99 <= 50 && hostP99 <= 3 * bareP99, note),
        ];
    }

    /// <summary>Signed request bodies, made before the clock starts: each a click on a distinct trigger.</summary>
    private static List<(byte[] Body, string Timestamp, string Signature)> Bodies(SlackStub slack, int count)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var list = new List<(byte[], string, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var payload = new JsonObject
            {
                ["type"] = "block_actions",
                ["user"] = new JsonObject { ["id"] = "UBOB", ["username"] = "bob", ["team_id"] = "T1" },
                ["team"] = new JsonObject { ["id"] = "T1", ["domain"] = "example" },
                ["trigger_id"] = $"bench-{Guid.NewGuid():N}",
                ["response_url"] = new Uri(slack.BaseUrl, $"respond/{i}").ToString(),
                ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = "1700000000.000001", ["channel_id"] = "D00000001" },
                ["actions"] = new JsonArray(new JsonObject
                {
                    ["action_id"] = "approve",
                    ["block_id"] = "decide",
                    ["value"] = $"purchase-{i % 1000 + 1}|a1",
                    ["type"] = "button",
                    ["action_ts"] = "1700000000.000002",
                }),
            };
            var body = Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(payload.ToJsonString()));
            list.Add((body, timestamp, SlackSignatureVerifier.Sign(Secret, timestamp, body)));
        }
        return list;
    }

    /// <summary>Posts every body with <paramref name="clients"/> concurrent senders; returns each request's latency in ms.</summary>
    private static async Task<List<double>> Load(HttpClient http, string path, List<(byte[] Body, string Timestamp, string Signature)> bodies, int clients)
    {
        var latencies = new double[bodies.Count];
        var next = -1;
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                var (body, timestamp, signature) = bodies[i];
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
                request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
                request.Headers.Add("X-Slack-Signature", signature);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
            }
        }));
        if (failures > 0) throw new InvalidOperationException($"{failures} of {bodies.Count} posts to {path} were not answered 200");
        return [.. latencies];
    }

    /// <summary>The ceiling: answers 200 before routing, in the same pipeline and process as the real endpoints.</summary>
    private sealed class BareEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, proceed) =>
            {
                if (context.Request.Path != BarePath) return proceed();
                context.Response.StatusCode = StatusCodes.Status200OK;
                return Task.CompletedTask;
            });
            next(app);
        };
    }
}
