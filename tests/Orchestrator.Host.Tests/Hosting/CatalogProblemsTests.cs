using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Commands;
using Orchestrator.Host.Tests.Cli;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Hosting;

/// <summary>A YAML typo or a role nobody has does not stop the host: it starts, serves the other workflows and names the problem.</summary>
public sealed class CatalogProblemsTests : IAsyncLifetime
{
    private const string UnknownRole = """
        id: review
        name: Review
        steps:
          - id: leads
            title: Review
            assignees: role:finance-lead
        """;

    private SlackFake _slack = null!;
    private TestHost _host = null!;
    private string _folder = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _folder = TestWorkflows.Folder(ValidateCommandTests.BrokenYaml, UnknownRole);
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?> { ["Workflows:Path"] = _folder });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task The_host_starts_and_readyz_names_the_yaml_typo_and_the_unknown_role()
    {
        var response = await _host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var definitions = body["definitions"]!.AsArray().Select(d => (string)d!).ToList();
        Assert.Contains("purchase", definitions);
        Assert.Contains("review", definitions);
        var problems = body["problems"]!.AsArray().Select(p => (string)p!).ToList();
        Assert.Contains($"{Path.Combine(_folder, "extra-0.yaml")}:4:5: : not valid YAML: this '{{' is never closed; add its '}}'", problems);
        Assert.Contains(problems, p => p.StartsWith($"{Path.Combine(_folder, "extra-1.yaml")}:6: steps[0].assignees: nobody in the directory has the role 'finance-lead'", StringComparison.Ordinal));
    }

    [Fact]
    public void Admin_reload_reports_the_same_problems()
    {
        var reply = _host.Services.GetRequiredService<CommandService>().Execute("admin reload", "carol@example.com", "slack");

        Assert.True(reply.IsError);
        Assert.Contains("not valid YAML: this '{' is never closed", reply.Text);
        Assert.Contains("nobody in the directory has the role 'finance-lead'", reply.Text);
    }
}
