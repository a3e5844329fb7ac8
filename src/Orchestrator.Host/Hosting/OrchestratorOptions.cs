namespace Orchestrator.Host.Hosting;

internal sealed class StorageOptions
{
    public const string Section = "Storage";
    public string Path { get; set; } = "data/orchestrator.db";
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

/// <summary>Finds the files named by relative paths whether the host runs from the repository root or elsewhere.</summary>
internal static class PathResolver
{
    public static string Resolve(string path)
    {
        if (System.IO.Path.IsPathRooted(path) || File.Exists(path) || System.IO.Directory.Exists(path)) return System.IO.Path.GetFullPath(path);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, path);
            if (File.Exists(candidate) || System.IO.Directory.Exists(candidate)) return candidate;
        }
        return System.IO.Path.GetFullPath(path);
    }
}
