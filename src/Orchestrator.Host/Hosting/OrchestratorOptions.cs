namespace Orchestrator.Host.Hosting;

internal sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string LiteDb = "litedb";
    public const string Postgres = "postgres";

    /// <summary><c>litedb</c> (one process, one file at <see cref="Path"/>) or <c>postgres</c> (several hosts, <see cref="ConnectionString"/>).</summary>
    public string Provider { get; set; } = LiteDb;

    public string Path { get; set; } = "data/orchestrator.db";

    /// <summary>The PostgreSQL connection string (Npgsql's form) when <see cref="Provider"/> is <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long delivered outbox messages and finished inbound requests are kept before they are pruned.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Slack retries a request within minutes; its record must outlive that to keep it from running twice.</summary>
    public static readonly TimeSpan ShortestRetention = TimeSpan.FromDays(1);
}

internal sealed class WorkflowsOptions
{
    public const string Section = "Workflows";
    public string Path { get; set; } = "manifests/workflows";
}

internal sealed class DirectoryOptions
{
    public const string Section = "Directory";
    public string Path { get; set; } = "manifests/directory.yaml";
}

internal sealed class SchedulerOptions
{
    public const string Section = "Scheduler";
    public int TickSeconds { get; set; } = 15;
}

internal sealed class OrchestratorOptions
{
    public const string Section = "Orchestrator";
    public string? PublicBaseUrl { get; set; }
}

/// <summary>
/// Relative paths are taken from the working directory, as a user who typed them expects (<c>dotnet run</c> keeps the
/// directory it was typed in; see RunWorkingDirectory in the project file). Only the samples' default paths are also looked
/// up above the application's folder, so the built host finds the samples wherever it runs from; a path someone chose is
/// never swapped for another file that happens to have its name.
/// </summary>
internal static class PathResolver
{
    private static readonly string[] Samples =
        [new WorkflowsOptions().Path, new DirectoryOptions().Path, "manifests/teams", "manifests/slack/manifest.yaml"];

    public static string Resolve(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.IsPathRooted(path) || File.Exists(full) || System.IO.Directory.Exists(full)) return full;
        if (!Samples.Contains(path.Replace('\\', '/'), StringComparer.Ordinal)) return full;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, path);
            if (File.Exists(candidate) || System.IO.Directory.Exists(candidate)) return candidate;
        }
        return full;
    }
}
