using Orchestrator.Core.Definitions;

namespace Orchestrator.Host.Cli;

/// <summary>Admin commands run instead of the web host: <c>validate [folder]</c>.</summary>
internal static class CliCommands
{
    private static readonly string[] Verbs = ["validate"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        return Task.FromResult(args[0] switch
        {
            "validate" => Validate(args.Length > 1 ? args[1] : "manifests/workflows", output, error),
            _ => 2,
        });
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
