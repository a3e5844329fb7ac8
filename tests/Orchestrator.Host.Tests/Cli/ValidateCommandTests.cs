using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using System.Diagnostics;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Cli;

/// <summary>`Orchestrator.Host validate [folder]` as an admin runs it: a real process and its exit code.</summary>
public sealed class ValidateCommandTests
{
    [Fact]
    public async Task The_sample_workflows_validate_and_the_command_exits_zero()
    {
        var (code, output, _) = await HostProcess.Run("validate", Path.Combine(Repo.Root, "manifests", "workflows"));
        Assert.Equal(0, code);
        Assert.Contains("purchase", output);
        Assert.Contains("0 errors", output);
    }

    [Fact]
    public async Task A_bad_file_is_reported_with_path_line_and_field_and_the_command_exits_non_zero()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-validate").FullName;
        File.Copy(Path.Combine(Repo.Root, "manifests", "workflows", "purchase.yaml"), Path.Combine(folder, "purchase.yaml"));
        File.WriteAllText(Path.Combine(folder, "broken.yaml"), """
            id: broken
            name: Broken
            steps:
              - id: one
                title: Hello
                assignees: boss
            """);

        var (code, output, error) = await HostProcess.Run("validate", folder);

        Assert.Equal(1, code);
        Assert.Contains("purchase", output);
        Assert.Contains($"{Path.Combine(folder, "broken.yaml")}:6: steps[0].assignees", error);
    }

    [Fact]
    public async Task A_missing_folder_is_an_error()
    {
        var (code, _, error) = await HostProcess.Run("validate", "/nonexistent/folder");
        Assert.NotEqual(0, code);
        Assert.Contains("folder not found", error);
    }
}

public sealed class HealthCheckCommandTests
{
    [Fact]
    public async Task Healthcheck_exits_zero_against_a_serving_host_and_non_zero_when_nothing_listens()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        await app.StartAsync();
        var url = app.Urls.Single() + "/healthz";

        Assert.Equal(0, await Orchestrator.Host.Cli.CliCommands.RunAsync(["healthcheck", url], TextWriter.Null, TextWriter.Null));
        await app.StopAsync();
        Assert.Equal(1, await Orchestrator.Host.Cli.CliCommands.RunAsync(["healthcheck", url], TextWriter.Null, TextWriter.Null));
    }
}
