using Microsoft.Extensions.Options;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Hosting;

/// <summary>Loads the workflow definitions and the directory into the <see cref="Catalog"/>, at start and on reload.</summary>
internal sealed partial class CatalogLoader(
    Catalog catalog,
    IOptions<WorkflowsOptions> workflows,
    IOptions<DirectoryOptions> directory,
    ISlackIdentities store,
    ICluster cluster,
    HostIdentity host,
    ILogger<CatalogLoader> logger) : ICatalogSource
{
    private const string ReloadSignal = "catalog.reload";
    private int _listening;

    public string WorkflowsPath => PathResolver.Resolve(workflows.Value.Path);
    public string DirectoryPath => PathResolver.Resolve(directory.Value.Path);

    public void Load()
    {
        Read(keepUsable: false);
        // An admin's reload on any host sharing the store reloads this one too.
        if (Interlocked.Exchange(ref _listening, 1) == 0) cluster.Signal += OnSignal;
    }

    private void OnSignal(string topic, string from)
    {
        if (topic != ReloadSignal || from == host.Id) return;
        try
        {
            Read(keepUsable: true);
        }
        catch (Exception ex)
        {
            LogReloadFailed(ex, from);
        }
    }

    /// <summary>
    /// Reads both files again. A file that cannot be used at all (missing, or nothing valid in it) keeps what is loaded now:
    /// an admin who breaks the directory must not lose the admin role they need to reload the fixed one.
    /// </summary>
    public CatalogReload Reload()
    {
        var reload = Read(keepUsable: true);
        cluster.Publish(ReloadSignal, host.Id);
        return reload;
    }

    private CatalogReload Read(bool keepUsable)
    {
        var kept = new List<string>();
        var people = DirectoryLoader.Load(DirectoryPath);
        var directory = new PeopleDirectory(people.Directory.People) { FallbackZone = store.SlackTimeZoneOf };
        if (keepUsable && directory.People.Count == 0 && catalog.People.People.Count > 0)
        {
            directory = catalog.People;
            kept.Add($"directory ({DirectoryPath})");
        }
        // With nobody in the directory every role would be reported too; the directory's own problem says enough.
        var checkAgainst = directory.People.Count > 0 ? directory : null;
        var definitions = System.IO.Directory.Exists(WorkflowsPath)
            ? DefinitionLoader.LoadFolder(WorkflowsPath, checkAgainst)
            : new DefinitionLoadResult { Errors = [new DefinitionError(WorkflowsPath, 0, "Workflows:Path", "folder not found")] };
        var loaded = definitions.Definitions;
        if (keepUsable && loaded.Count == 0 && catalog.Definitions.Count > 0)
        {
            loaded = catalog.Definitions;
            kept.Add($"workflows ({WorkflowsPath})");
        }
        catalog.Replace(loaded, directory, [.. definitions.Errors, .. people.Errors]);

        foreach (var error in catalog.Problems) LogProblem(error.ToString());
        foreach (var warning in definitions.Warnings) LogWarning(warning.ToString());
        LogLoaded(catalog.Definitions.Count, WorkflowsPath, string.Join(", ", catalog.Definitions.Select(d => $"{d.Id}@{d.Version}")));
        LogPeople(catalog.People.People.Count, DirectoryPath);
        return new CatalogReload(kept);
    }

    [LoggerMessage(LogLevel.Information, "Loaded {Count} workflow definitions from {Path}: {Definitions}")]
    private partial void LogLoaded(int count, string path, string definitions);

    [LoggerMessage(LogLevel.Error, "Reloading as host {From} asked failed; this host keeps what it had")]
    private partial void LogReloadFailed(Exception ex, string from);

    [LoggerMessage(LogLevel.Information, "Loaded {Count} people from {Path}")]
    private partial void LogPeople(int count, string path);

    [LoggerMessage(LogLevel.Warning, "Definition problem: {Problem}")]
    private partial void LogProblem(string problem);

    [LoggerMessage(LogLevel.Information, "Definition note: {Warning}")]
    private partial void LogWarning(string warning);
}
