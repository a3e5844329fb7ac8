using System.Net;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Teams;

/// <summary>The pages the Teams app manifest links to are served by the host itself.</summary>
public sealed class AboutPagesTests
{
    [Theory]
    [InlineData("/privacy", "privacy")]
    [InlineData("/terms", "terms of use")]
    public async Task The_manifests_links_answer(string path, string expected)
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack);
        var response = await host.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }
}
