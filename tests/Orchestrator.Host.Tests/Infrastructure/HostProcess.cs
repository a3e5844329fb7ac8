using System.Diagnostics;

namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>Runs the built Orchestrator.Host.dll as an admin would run the host's commands, from the repository root.</summary>
internal static class HostProcess
{
    public static Task<(int Code, string Output, string Error)> Run(params string[] args) => Run(null, args);

    /// <summary>Runs a command with <paramref name="environment"/> added (e.g. <c>Storage__Provider</c>), as an admin's shell would have it.</summary>
    public static async Task<(int Code, string Output, string Error)> Run(IDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) start.Environment[k] = v;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Orchestrator.Host.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await output, await error);
    }
}
