using System.CommandLine;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.People;
using Orchestrator.Host.Hosting;

namespace Orchestrator.Host.Cli;

/// <summary>
/// <c>validate [&lt;path&gt;] [--directory &lt;file&gt;]</c>: checks a workflow file or a folder of them, and the people they name
/// against the directory, before they are deployed. Exit 0 when valid (warnings allowed), 1 on any error, 2 when a path is wrong.
/// </summary>
internal static class ValidateCommand
{
    public static readonly string[] Examples =
    [
        "validate manifests/workflows",
        "validate manifests/workflows/purchase.yaml --directory manifests/directory.yaml",
    ];

    public static Command Create()
    {
        var path = new Argument<string?>("path")
        {
            Description = $"a workflow file or a folder of them [default: Workflows:Path, {new WorkflowsOptions().Path}]",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var directory = new Option<string?>("--directory")
        {
            Description = $"the people file that roles, person: and escalate_to are checked against [default: Directory:Path, {new DirectoryOptions().Path}]",
            HelpName = "file",
        };
        var command = new Command("validate", "Checks workflow definitions and the people they name; exits 1 on any error.") { path, directory };
        command.SetAction(r => Run(r.GetValue(path), r.GetValue(directory), r.InvocationConfiguration.Output, r.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string? path, string? directoryPath, TextWriter output, TextWriter error)
    {
        var target = path is null
            ? PathResolver.Resolve(CliCommands.Configured($"{WorkflowsOptions.Section}:Path") ?? new WorkflowsOptions().Path)
            : Path.GetFullPath(path);
        var isFolder = Directory.Exists(target);
        if (!isFolder && !File.Exists(target))
        {
            error.WriteLine($"{target}: no such file or folder (folder not found)");
            return 2;
        }

        var (found, people, directoryErrors, checkedAgainst) = People(directoryPath, error);
        if (!found) return 2;
        var result = isFolder ? DefinitionLoader.LoadFolder(target, people) : DefinitionLoader.LoadFile(target, people);

        // The host keeps a definition whose people the directory lacks (the directory may be what is wrong); here it is not "ok".
        var valid = result.Definitions.Where(d => !result.Errors.Any(e => e.Path == d.SourcePath)).ToList();
        foreach (var definition in valid)
            output.WriteLine($"ok    {definition.SourcePath}: {definition.Id} ({definition.Name}), {definition.Steps.Count} steps");
        foreach (var problem in directoryErrors.Concat(result.Errors))
            error.WriteLine($"error {problem}");
        foreach (var warning in result.Warnings)
            error.WriteLine($"warning {warning}");
        var errors = directoryErrors.Count + result.Errors.Count;
        output.WriteLine($"{valid.Count} valid, {errors} errors, {result.Warnings.Count} warnings{checkedAgainst}");
        return errors == 0 ? 0 : 1;
    }

    /// <summary>
    /// The directory to check against. One named with --directory must load; the default may be missing (someone checking
    /// files alone), which is said and skips the check.
    /// </summary>
    private static (bool Found, PeopleDirectory? People, IReadOnlyList<DefinitionError> Errors, string CheckedAgainst) People(string? given, TextWriter error)
    {
        var path = given is null
            ? PathResolver.Resolve(CliCommands.Configured($"{DirectoryOptions.Section}:Path") ?? new DirectoryOptions().Path)
            : Path.GetFullPath(given);
        if (!File.Exists(path))
        {
            if (given is not null)
            {
                error.WriteLine($"{path}: no such directory file (--directory)");
                return (false, null, [], "");
            }
            error.WriteLine($"note: no directory file at {path}; roles and people are not checked (name one with --directory)");
            return (true, null, [], "");
        }
        var loaded = DirectoryLoader.Load(path);
        if (loaded.Directory.People.Count == 0) return (true, null, loaded.Errors, $"; people not checked: nobody loaded from {path}");
        return (true, loaded.Directory, loaded.Errors, $"; people checked against {path}");
    }
}
