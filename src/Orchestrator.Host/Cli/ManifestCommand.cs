using Orchestrator.Host.Hosting;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Teams;

namespace Orchestrator.Host.Cli;

/// <summary>
/// <c>manifest teams --bot-id &lt;guid&gt; --base-url &lt;url&gt; --out &lt;file.zip&gt;</c> writes the Teams app package;
/// <c>manifest slack --base-url &lt;url&gt; [--out &lt;file.yaml&gt;]</c> writes the Slack app manifest (stdout without --out).
/// Bad input exits 2 with the reason on stderr, and nothing is written.
/// </summary>
internal static class ManifestCommand
{
    public const string Usage = """
        usage: manifest teams --bot-id <microsoft-app-id> --base-url <https url> --out <file.zip>
               manifest slack --base-url <https url> [--out <file.yaml>]
        """;

    private const string BotId = "--bot-id", BaseUrl = "--base-url", Out = "--out";

    /// <param name="args">The arguments after <c>manifest</c>.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0)
            return Fail(error, "manifest: name the platform, teams or slack.");
        if (args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Usage);
            return 0;
        }
        var platform = args[0];
        string[] allowed = platform switch
        {
            "teams" => [BotId, BaseUrl, Out],
            "slack" => [BaseUrl, Out],
            _ => [],
        };
        if (allowed.Length == 0)
            return Fail(error, $"manifest: unknown platform '{platform}': use teams or slack.");
        if (!TryParseOptions(args.AsSpan(1), allowed, out var options, out var problem))
            return Fail(error, $"manifest {platform}: {problem}");

        try
        {
            return platform == "teams" ? Teams(options, error) : Slack(options, output, error);
        }
        catch (ArgumentException e)
        {
            var reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            return Fail(error, $"manifest {platform}: {reason}");
        }
    }

    private static int Teams(Dictionary<string, string> options, TextWriter error)
    {
        if (!options.TryGetValue(BotId, out var botId))
            return Fail(error, "manifest teams: --bot-id is required (the Microsoft App ID of the bot registration).");
        if (!options.TryGetValue(BaseUrl, out var baseUrl))
            return Fail(error, "manifest teams: --base-url is required (the host's public https URL).");
        if (!options.TryGetValue(Out, out var outPath))
            return Fail(error, "manifest teams: --out is required (the app package to write, e.g. orchestrator-teams.zip).");

        // Everything is checked before the first byte is written.
        botId = TeamsManifest.ParseBotId(botId);
        TeamsManifest.DomainOf(baseUrl);
        if (Directory.Exists(outPath))
            return Fail(error, $"manifest teams: --out '{outPath}' is a folder; name the zip file to write.");
        var templates = PathResolver.Resolve(Path.Combine("manifests", "teams"));
        var missing = TeamsManifest.PackageFiles.Where(f => !File.Exists(Path.Combine(templates, f))).ToList();
        if (missing.Count > 0)
        {
            error.WriteLine($"manifest teams: {string.Join(", ", missing)} not found in {templates}");
            return 1;
        }

        using var package = new MemoryStream();
        TeamsManifest.WritePackage(templates, botId, baseUrl, package);
        return WriteFile(outPath, package.ToArray(), error);
    }

    private static int Slack(Dictionary<string, string> options, TextWriter output, TextWriter error)
    {
        if (!options.TryGetValue(BaseUrl, out var baseUrl))
            return Fail(error, "manifest slack: --base-url is required (the host's public https URL).");
        if (options.TryGetValue(Out, out var outPath) && Directory.Exists(outPath))
            return Fail(error, $"manifest slack: --out '{outPath}' is a folder; name the file to write.");
        var template = PathResolver.Resolve(Path.Combine("manifests", "slack", "manifest.yaml"));
        if (!File.Exists(template))
        {
            error.WriteLine($"manifest slack: {template} not found");
            return 1;
        }

        var manifest = SlackManifest.Render(File.ReadAllText(template), baseUrl);
        if (outPath is null)
        {
            output.Write(manifest);
            return 0;
        }
        return WriteFile(outPath, System.Text.Encoding.UTF8.GetBytes(manifest), error);
    }

    /// <summary>Accepts <c>--name value</c> and <c>--name=value</c>, each option at most once.</summary>
    internal static bool TryParseOptions(ReadOnlySpan<string> args, string[] allowed, out Dictionary<string, string> options, out string problem)
    {
        options = new Dictionary<string, string>(StringComparer.Ordinal);
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string name, value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
                (name, value) = (arg[..equals], arg[(equals + 1)..]);
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                (name, value) = (arg, args[++i]);
            else
                (name, value) = (arg, "");

            if (!allowed.Contains(name))
            {
                problem = $"unknown option '{name}'; expected {string.Join(", ", allowed)}.";
                return false;
            }
            if (string.IsNullOrWhiteSpace(value))
            {
                problem = $"{name} needs a value.";
                return false;
            }
            if (!options.TryAdd(name, value))
            {
                problem = $"{name} is given twice.";
                return false;
            }
        }
        return true;
    }

    /// <summary>Writes beside the target first and then moves it in, so a failure never leaves half a file.</summary>
    private static int WriteFile(string path, byte[] content, TextWriter error)
    {
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(temp, content);
            File.Move(temp, full, overwrite: true);
            error.WriteLine($"wrote {full}");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { }
            error.WriteLine($"manifest: cannot write {full}: {e.Message}");
            return 1;
        }
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine(message);
        error.WriteLine(Usage);
        return 2;
    }
}
