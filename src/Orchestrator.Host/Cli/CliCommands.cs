using Orchestrator.Core.Definitions;

namespace Orchestrator.Host.Cli;

/// <summary>Admin commands run instead of the web host: <c>validate [folder]</c>, <c>healthcheck [url]</c>, <c>simulate &lt;workflow&gt; …</c>, <c>manifest teams|slack …</c>, <c>audit verify|export …</c>, <c>apikey create|list|revoke …</c>.</summary>
internal static class CliCommands
{
    private static readonly string[] Verbs = ["validate", "healthcheck", "simulate", "manifest", "audit", "apikey"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        return args[0] switch
        {
            "validate" => Validate(args.Length > 1 ? args[1] : "manifests/workflows", output, error),
            "healthcheck" => await HealthCheck(args.Length > 1 ? args[1] : "http://localhost:8080/healthz", error),
            "simulate" => SimulateCommand.Run(args[1..], output, error, TimeProvider.System),
            "manifest" => ManifestCommand.Run(args[1..], output, error),
            "audit" => AuditCommand.Run(args[1..], output, error),
            "apikey" => ApiKeyCommand.Run(args[1..], output, error, TimeProvider.System),
            _ => 2,
        };
    }

    /// <summary>For the container's HEALTHCHECK: the runtime image has no curl, so the app checks itself.</summary>
    private static async Task<int> HealthCheck(string url, TextWriter error)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(url);
            if (response.IsSuccessStatusCode) return 0;
            await error.WriteLineAsync($"{url}: HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            await error.WriteLineAsync($"{url}: {ex.Message}");
        }
        return 1;
    }

    private static int Validate(string folder, TextWriter output, TextWriter error)
    {
        if (!Directory.Exists(folder))
        {
            error.WriteLine($"{folder}: folder not found");
            return 2;
        }
        var result = DefinitionLoader.LoadFolder(folder);
        foreach (var definition in result.Definitions)
            output.WriteLine($"ok    {definition.SourcePath}: {definition.Id} ({definition.Name}), {definition.Steps.Count} steps");
        foreach (var problem in result.Errors)
            error.WriteLine($"error {problem}");
        output.WriteLine($"{result.Definitions.Count} valid, {result.Errors.Count} errors");
        return result.IsValid ? 0 : 1;
    }
}
