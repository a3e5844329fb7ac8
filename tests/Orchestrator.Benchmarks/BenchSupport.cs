using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Benchmarks;

internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}

internal static class Stats
{
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return Percentile(sorted, 50);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Just enough of Slack's Web API for the host's background work to succeed (who clicked, where to answer), so that a
/// latency run measures acknowledgements beside realistic background work, not beside a storm of retries.
/// </summary>
internal sealed class SlackStub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SlackStub(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }
    public Uri ApiBaseUrl => new(BaseUrl, "api/");

    public static async Task<SlackStub> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var user = new JsonObject
        {
            ["id"] = "UBOB",
            ["name"] = "bob",
            ["is_bot"] = false,
            ["tz_offset"] = 3600,
            ["real_name"] = "Bob Brown",
            ["tz"] = "Europe/Berlin",
            ["profile"] = new JsonObject { ["email"] = "bob@example.com", ["real_name"] = "Bob Brown" },
        }.ToJsonString();
        var answer = $$"""{"ok":true,"user":{{user}},"channel":{"id":"D00000001"},"ts":"1700000000.000001","messages":[],"has_more":false,"message_ts":"1"}""";
        app.MapPost("/api/{method}", () => Results.Text(answer, "application/json"));
        app.MapPost("/respond/{id}", () => Results.Text("ok"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new SlackStub(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A process started for a measurement (the built host, or this program as a bare server); killed on dispose.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseUrl { get; }

    /// <summary>Time from process start until <c>/healthz</c> first answered 200.</summary>
    public TimeSpan StartedIn { get; private set; }

    public long WorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>The built Orchestrator.Host.dll, as an operator runs it.</summary>
    public static Task<ChildProcess> StartHost(string dbPath, IDictionary<string, string>? settings = null)
    {
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Storage__Path"] = dbPath,
            ["Workflows__Path"] = Path.Combine(Repo.Root, "manifests", "workflows"),
            ["Directory__Path"] = Path.Combine(Repo.Root, "manifests", "directory.yaml"),
            // No reminders fall due while memory is read: the figure is the host at rest with its open instances.
            ["Scheduler__TickSeconds"] = "3600",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) env[k] = v;
        return Start(Path.Combine(AppContext.BaseDirectory, "Orchestrator.Host.dll"), [], env);
    }

    /// <summary>This program as a minimal Kestrel app with only <c>/healthz</c>: the floor any ASP.NET Core host pays.</summary>
    public static Task<ChildProcess> StartBare() =>
        Start(Path.Combine(AppContext.BaseDirectory, "Orchestrator.Benchmarks.dll"), [BareServer.Flag], new Dictionary<string, string>());

    private static async Task<ChildProcess> Start(string dll, string[] args, IDictionary<string, string> env)
    {
        var port = Stats.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (k, v) in env) start.Environment[k] = v;

        var clock = Stopwatch.StartNew();
        var child = new ChildProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient { BaseAddress = child.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (child._process.HasExited) throw new InvalidOperationException($"{dll} exited with {child._process.ExitCode}");
            try
            {
                using var health = await http.GetAsync("healthz");
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    child.StartedIn = clock.Elapsed;
                    return child;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                child.Dispose();
                throw new TimeoutException($"{dll} did not become healthy within 60 s");
            }
            await Task.Delay(5);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}

/// <summary>The start-up and memory floor: an empty ASP.NET Core app on Kestrel that answers <c>/healthz</c>.</summary>
internal static class BareServer
{
    public const string Flag = "--serve-bare";

    public static async Task Run()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok"));
        await app.RunAsync();
    }
}
