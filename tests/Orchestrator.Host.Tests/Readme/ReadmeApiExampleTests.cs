using System.Text.RegularExpressions;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Readme;

/// <summary>README's curl examples of the HTTP API, replayed in order against the host with the sample workflows: each one works.</summary>
public sealed partial class ReadmeApiExampleTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _host = TestHost.Start(_slack);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Every_api_example_in_README_succeeds_as_written()
    {
        // README's $KEY is jira's and $HR_KEY is HR's: a key completes only its own system's steps.
        var keys = new Dictionary<string, string> { ["KEY"] = _host.CreateKey("jira", "jira"), ["HR_KEY"] = _host.CreateKey("hr", "hr") };
        var text = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\\\n", " ", StringComparison.Ordinal);
        var calls = Curl().Matches(text).ToList();
        Assert.True(calls.Count >= 6, $"{calls.Count} curl examples found");
        Assert.Contains(calls, c => c.Groups["path"].Value == "/api/v1/instances/onboarding-1/events" && c.Groups["body"].Value.Contains("\"complete\"", StringComparison.Ordinal));

        foreach (var call in calls)
        {
            var path = call.Groups["path"].Value;
            var key = keys[call.Groups["key"].Value];
            var response = call.Groups["body"].Success
                ? await _host.Post(path, key, call.Groups["body"].Value)
                : await _host.Get(path, key);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{call.Value}\n{(int)response.StatusCode} {body}");
        }
    }

    [GeneratedRegex("""curl -s (?:-X POST )?"?http://localhost:5080(?<path>/api/v1/[^\s"]+)"?[^\n]*?-H "Authorization: Bearer \$(?<key>[A-Z_]+)"[^\n]*?(?:-d '(?<body>[^']*)')?\n""")]
    private static partial Regex Curl();
}
