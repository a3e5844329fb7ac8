using System.CommandLine;

namespace Orchestrator.Host.Cli;

/// <summary>
/// <c>healthcheck [&lt;url&gt;]</c>, for the container's HEALTHCHECK: the runtime image has no curl, so the app checks itself.
/// Exit 0 on a 2xx answer, 1 otherwise.
/// </summary>
internal static class HealthCheckCommand
{
    public static readonly string[] Examples = ["healthcheck http://localhost:8080/healthz"];

    public static Command Create()
    {
        var url = new Argument<string>("url")
        {
            Description = "the host's /healthz",
            DefaultValueFactory = _ => "http://localhost:8080/healthz",
        };
        var command = new Command("healthcheck", "Asks a running host whether it serves; exits 0 if it does, else 1.") { url };
        command.SetAction((r, cancel) => Run(r.GetValue(url)!, r.InvocationConfiguration.Error, cancel));
        return command;
    }

    private static async Task<int> Run(string url, TextWriter error, CancellationToken cancel)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(url, cancel);
            if (response.IsSuccessStatusCode) return 0;
            await error.WriteLineAsync($"{url}: HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException)
        {
            await error.WriteLineAsync($"{url}: {ex.Message}");
        }
        return 1;
    }
}
