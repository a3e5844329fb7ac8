using System.Diagnostics;
using System.Text.RegularExpressions;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Readme;

/// <summary>
/// Every <c>dotnet run --project src/Orchestrator.Host -- …</c> command README.md shows works as written, typed at the
/// repository root: one through <c>dotnet run</c> itself, the rest through the built host from a folder laid out like the
/// root (so their outputs land there and not in the repository).
/// </summary>
public sealed partial class ReadmeCommandTests
{
    private const string Prefix = "dotnet run --project src/Orchestrator.Host -- ";

    /// <summary>What README writes as a placeholder, and a value that stands for it.</summary>
    private static readonly Dictionary<string, string> Placeholders = new(StringComparer.Ordinal)
    {
        ["<microsoft-app-id>"] = "00000000-0000-0000-0000-000000000001",
    };

    /// <summary>Commands that need a running host; none of README's commands does today.</summary>
    private static readonly string[] NeedAHost = ["healthcheck"];

    [Fact]
    public async Task Validate_as_README_shows_it_works_from_the_repository_root_under_dotnet_run()
    {
        var before = RepositoryState();

        var (code, output, error) = await Run(Repo.Root, "dotnet", ["run", "--project", "src/Orchestrator.Host", "--", "validate", "manifests/workflows"], TimeSpan.FromMinutes(8));

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.Contains($"ok    {Path.Combine(Repo.Root, "manifests", "workflows", "purchase.yaml")}", output);
        Assert.Contains(" 0 errors", output);
        Assert.DoesNotContain("not found", error);
        Assert.Equal(before, RepositoryState());
    }

    [Fact]
    public void README_shows_the_validate_command_verbatim()
    {
        Assert.Contains(Prefix + "validate manifests/workflows", Commands());
    }

    [Fact]
    public async Task Every_command_README_shows_runs_as_written_and_leaves_its_outputs_where_it_was_typed()
    {
        var commands = Commands().Where(c => !NeedAHost.Any(v => c.StartsWith(Prefix + v, StringComparison.Ordinal))).ToList();
        Assert.True(commands.Count >= 8, string.Join('\n', commands));
        var root = Directory.CreateTempSubdirectory("orchestrator-readme").FullName;
        CopyFolder(Path.Combine(Repo.Root, "manifests"), Path.Combine(root, "manifests"));
        var before = RepositoryState();

        foreach (var command in commands)
        {
            var args = Arguments(command[Prefix.Length..]);
            var (code, output, error) = await Run(root, "dotnet", [Path.Combine(AppContext.BaseDirectory, "Orchestrator.Host.dll"), .. args], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"{command}\nexit {code}\n{output}\n{error}");
        }

        // The default store and every --out file are where the commands were typed, nowhere else.
        Assert.True(File.Exists(Path.Combine(root, "data", "orchestrator.db")), "no data/orchestrator.db beside the commands");
        foreach (var written in commands.SelectMany(c => OutFile().Matches(c)).Select(m => m.Groups[1].Value))
            Assert.True(File.Exists(Path.Combine(root, written)), $"{written} was not written where the command ran");
        Assert.Equal(before, RepositoryState());
    }

    /// <summary>README's commands: in code blocks and inline code, continuation lines joined, comments dropped.</summary>
    private static List<string> Commands()
    {
        var text = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\\\n", " ", StringComparison.Ordinal);
        var lines = text.Split('\n').Select(l => l.Trim()).ToList();
        var candidates = lines.Where(l => l.StartsWith(Prefix, StringComparison.Ordinal))
            .Concat(InlineCode().Matches(text).Select(m => m.Groups[1].Value).Where(c => c.StartsWith(Prefix, StringComparison.Ordinal)));
        return candidates
            .Select(c => c.Split(" #", 2)[0])
            .Select(c => Whitespace().Replace(c, " ").Trim())
            .Distinct()
            .ToList();
    }

    /// <summary>Splits a README command as a shell would (no quotes are used there), fills placeholders, drops <c>[optional]</c> parts.</summary>
    private static string[] Arguments(string command)
    {
        var filled = Placeholders.Aggregate(command, (c, p) => c.Replace(p.Key, p.Value, StringComparison.Ordinal));
        filled = Optional().Replace(filled, "");
        Assert.DoesNotMatch("[<>]", filled);
        return filled.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task<(int Code, string Output, string Error)> Run(string folder, string file, string[] args, TimeSpan bound)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Files git would see as changed or new; null outside a git checkout (then nothing to compare).</summary>
    private static string? RepositoryState()
    {
        try
        {
            var start = new ProcessStartInfo("git", "status --porcelain --untracked-files=all") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(from)) CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
    }

    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\s*\[[^\]]*\]")]
    private static partial Regex Optional();

    [GeneratedRegex(@"--out (\S+)")]
    private static partial Regex OutFile();
}
