using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Tests.Fakes;

namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>
/// The built host as a separate process on a real port, as it runs in production, so that a test can kill it
/// with SIGKILL mid-work and start it again on the same LiteDB file.
/// </summary>
internal sealed class ChildHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly HttpClient _http;

    private ChildHost(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        // Generous: on a loaded machine a live host can be slow to answer; a killed one refuses at once.
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseUrl { get; }

    /// <summary>The last lines the process wrote, for a failing test's message.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts the host with Slack pointed at <paramref name="slack"/>; returns once <c>/healthz</c> answers.</summary>
    public static async Task<ChildHost> Start(SlackFake slack, string dbPath, IDictionary<string, string?>? settings = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Orchestrator.Host.dll"));
        var env = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Storage__Path"] = dbPath,
            ["Slack__BotToken"] = slack.BotToken,
            ["Slack__SigningSecret"] = TestHost.SigningSecret,
            ["Slack__ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Delivery__FirstRetryDelay"] = "00:00:00.200",
            ["Delivery__SweepInterval"] = "00:00:00.100",
            ["Delivery__ChannelPace"] = "00:00:00.050",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) env[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        foreach (var (k, v) in env) start.Environment[k] = v;

        var host = new ChildHost(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"));
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (host._process.HasExited) throw new InvalidOperationException($"The host exited with {host._process.ExitCode}:\n{host.Output}");
            try
            {
                using var health = await host._http.GetAsync("healthz");
                if (health.StatusCode == HttpStatusCode.OK) return host;
            }
            catch (HttpRequestException)
            {
            }
            if (started.Elapsed > TimeSpan.FromMinutes(2))
            {
                await host.DisposeAsync();
                throw new TimeoutException($"The host did not become healthy within 2 minutes:\n{host.Output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush, exactly what a crash or an OOM kill does.</summary>
    public async Task Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public Task<HttpResponseMessage> Command(SlackFake slack, string userId, string text) =>
        PostSigned("slack/commands", TestHost.Form(
            ("team_id", "T1"), ("channel_id", "C1"), ("user_id", userId), ("command", "/orchestrate"), ("text", text),
            ("response_url", slack.ResponseUrl($"cmd-{Guid.NewGuid():N}").ToString()), ("trigger_id", $"trig-{Guid.NewGuid():N}")));

    public Task<HttpResponseMessage> Click(SlackFake slack, string userId, string actionId, string value) =>
        PostSigned("slack/interactions", TestHost.Form(("payload", TestHost.BlockAction(slack, userId, actionId, value).ToJsonString())));

    private Task<HttpResponseMessage> PostSigned(string path, string form)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var bytes = Encoding.UTF8.GetBytes(form);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", SlackSignatureVerifier.Sign(TestHost.SigningSecret, timestamp, bytes));
        return _http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        await Kill();
        _process.Dispose();
        _http.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 200) _output.TryDequeue(out _);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
