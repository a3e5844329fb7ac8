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
    public async Task A_yaml_typo_is_reported_with_file_line_and_column_and_the_other_files_still_validate()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-validate").FullName;
        File.Copy(Path.Combine(Repo.Root, "manifests", "workflows", "purchase.yaml"), Path.Combine(folder, "purchase.yaml"));
        File.WriteAllText(Path.Combine(folder, "broken.yaml"), BrokenYaml);

        var (code, output, error) = await HostProcess.Run("validate", folder);

        Assert.Equal(1, code);
        Assert.Contains("ok    " + Path.Combine(folder, "purchase.yaml"), output);
        Assert.Contains($"error {Path.Combine(folder, "broken.yaml")}:4:5: : not valid YAML: this '{{' is never closed; add its '}}'", error);
        Assert.DoesNotContain("Exception", error);
        Assert.Contains("1 valid, 1 errors", output);
    }

    [Fact]
    public async Task A_role_nobody_has_is_an_error_and_a_manager_step_a_warning()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("orchestrator-validate").FullName, "expense.yaml");
        File.WriteAllText(file, File.ReadAllText(Path.Combine(Repo.Root, "manifests", "workflows", "expense.yaml"))
            .Replace("escalate_to: role:finance-leads", "escalate_to: role:finance-lead", StringComparison.Ordinal));

        var (code, output, error) = await HostProcess.Run("validate", file, "--directory", Path.Combine(Repo.Root, "manifests", "directory.yaml"));

        Assert.Equal(1, code);
        Assert.Contains($"error {file}:15: steps[0].escalate_to: nobody in the directory has the role 'finance-lead' (did you mean 'role:finance-leads'?)", error);
        Assert.Contains($"warning {file}:10: steps[0].assignees: 'manager' is known only when a request starts", error);
        Assert.DoesNotContain("ok ", output);
        Assert.Contains("0 valid, 1 errors, 1 warnings", output);
    }

    [Fact]
    public async Task A_person_missing_from_the_given_directory_is_an_error()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-validate").FullName;
        File.WriteAllText(Path.Combine(folder, "review.yaml"), "id: review\nname: Review\nsteps:\n  - { id: a, assignees: person:zoe@example.com }\n");
        var directory = Path.Combine(folder, "people.yaml");
        File.WriteAllText(directory, "people:\n  - { email: zoe@example.org, manager: bob@example.org }\n  - { email: bob@example.org }\n");

        var (code, _, error) = await HostProcess.Run("validate", folder, "--directory", directory);

        Assert.Equal(1, code);
        Assert.Contains("steps[0].assignees: zoe@example.com is not in the directory (did you mean 'person:zoe@example.org'?)", error);
    }

    [Fact]
    public async Task A_missing_directory_named_with_the_option_exits_2()
    {
        var (code, _, error) = await HostProcess.Run("validate", Path.Combine(Repo.Root, "manifests", "workflows"), "--directory", "/nonexistent/people.yaml");

        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/people.yaml: no such directory file", error);
    }

    internal const string BrokenYaml = """
        id: broken
        name: Broken
        inputs:
          - { id: amount, type: number
        steps:
          - id: a
            assignees: manager
        """;

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
