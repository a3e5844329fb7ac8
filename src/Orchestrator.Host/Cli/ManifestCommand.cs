using System.CommandLine;
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
    public static readonly string[] Examples =
    [
        "manifest slack --base-url https://orchestrator.example.com --out slack-manifest.yaml",
        "manifest teams --bot-id <microsoft-app-id> --base-url https://orchestrator.example.com --out orchestrator-teams.zip",
    ];

    public static Command Create()
    {
        var botId = new Option<string>("--bot-id") { Description = "the Microsoft App ID of the bot registration", HelpName = "microsoft-app-id", Required = true };
        var teamsUrl = BaseUrl();
        var zip = new Option<string>("--out") { Description = "the app package to write, e.g. orchestrator-teams.zip", HelpName = "file.zip", Required = true };
        var teams = new Command("teams", "Writes the Teams app package (manifest and icons) for this host.") { botId, teamsUrl, zip };
        teams.SetAction(r => Guarded("teams", r.InvocationConfiguration.Error,
            () => Teams(r.GetValue(botId)!, r.GetValue(teamsUrl)!, r.GetValue(zip)!, r.InvocationConfiguration.Error)));

        var slackUrl = BaseUrl();
        var yaml = new Option<string>("--out") { Description = "the file to write; without it the manifest is printed", HelpName = "file.yaml" };
        var slack = new Command("slack", "Writes the Slack app manifest for this host.") { slackUrl, yaml };
        slack.SetAction(r => Guarded("slack", r.InvocationConfiguration.Error,
            () => Slack(r.GetValue(slackUrl)!, r.GetValue(yaml), r.InvocationConfiguration.Output, r.InvocationConfiguration.Error)));

        return new Command("manifest", "Fills this host's public URL into the Slack or Teams app manifest.") { teams, slack };
    }

    private static Option<string> BaseUrl() =>
        new("--base-url") { Description = "the host's public https URL", HelpName = "https-url", Required = true };

    /// <summary>Bad values (a bot id that is not a GUID, a URL that is not https) exit 2 with the reason, and nothing is written.</summary>
    private static int Guarded(string platform, TextWriter error, Func<int> run)
    {
        try
        {
            return run();
        }
        catch (ArgumentException e)
        {
            var reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            return Fail(error, platform, $"manifest {platform}: {reason}");
        }
    }

    private static int Teams(string botId, string baseUrl, string outPath, TextWriter error)
    {
        // Everything is checked before the first byte is written.
        botId = TeamsManifest.ParseBotId(botId);
        TeamsManifest.DomainOf(baseUrl);
        if (Directory.Exists(outPath))
            return Fail(error, "teams", $"manifest teams: --out '{outPath}' is a folder; name the zip file to write.");
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

    private static int Slack(string baseUrl, string? outPath, TextWriter output, TextWriter error)
    {
        if (outPath is not null && Directory.Exists(outPath))
            return Fail(error, "slack", $"manifest slack: --out '{outPath}' is a folder; name the file to write.");
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

    private static int Fail(TextWriter error, string platform, string message)
    {
        error.WriteLine(message);
        error.WriteLine($"usage: {CliCommands.Synopses(Create(), "").Single(u => u.StartsWith($"manifest {platform}", StringComparison.Ordinal))}");
        return 2;
    }
}
