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
    LiteDbStore store,
    ILogger<CatalogLoader> logger)
{
    public string WorkflowsPath => PathResolver.Resolve(workflows.Value.Path);
    public string DirectoryPath => PathResolver.Resolve(directory.Value.Path);

    public void Load()
    {
        var definitions = System.IO.Directory.Exists(WorkflowsPath)
            ? DefinitionLoader.LoadFolder(WorkflowsPath)
            : new DefinitionLoadResult { Errors = [new DefinitionError(WorkflowsPath, 0, "Workflows:Path", "folder not found")] };
        var people = DirectoryLoader.Load(DirectoryPath);
        var directory = new PeopleDirectory(people.Directory.People) { FallbackZone = store.SlackTimeZoneOf };
        catalog.Replace(definitions.Definitions, directory, [.. definitions.Errors, .. people.Errors]);

        foreach (var error in catalog.Problems) LogProblem(error.ToString());
        LogLoaded(catalog.Definitions.Count, WorkflowsPath, string.Join(", ", catalog.Definitions.Select(d => $"{d.Id}@{d.Version}")));
        LogPeople(catalog.People.People.Count, DirectoryPath);
    }

    [LoggerMessage(LogLevel.Information, "Loaded {Count} workflow definitions from {Path}: {Definitions}")]
    private partial void LogLoaded(int count, string path, string definitions);

    [LoggerMessage(LogLevel.Information, "Loaded {Count} people from {Path}")]
    private partial void LogPeople(int count, string path);

    [LoggerMessage(LogLevel.Warning, "Definition problem: {Problem}")]
    private partial void LogProblem(string problem);
}
