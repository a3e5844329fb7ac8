using System.Net;
using System.Text.RegularExpressions;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using Orchestrator.Host.Tests.Playground;

namespace Orchestrator.Host.Tests.Hosting;

/// <summary><c>GET /</c>: what is on and where to go next, as plain HTML through the real host.</summary>
public sealed partial class HomePageTests
{
    [Fact]
    public async Task A_first_run_shows_the_playground_what_is_on_and_what_loaded()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);

        var response = await host.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("href=\"/playground\">Open the playground</a>", html);
        Assert.Matches(@"<th scope=""row"">Slack</th><td><span class=""off"">off</span>", html);
        Assert.Matches(@"<th scope=""row"">Playground</th><td><span class=""on"">on</span>", html);
        Assert.Contains(host.DbPath, html);
        Assert.Matches(@"<code>purchase@[0-9a-f]+</code>: Purchase request", html);
        Assert.Contains("6 people", html);
        Assert.Matches(@"<th scope=""row"">Problems</th><td>none</td>", html);
    }

    [Fact]
    public async Task With_Slack_on_it_says_so_and_that_the_playground_is_off()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack);

        var html = await host.Client.GetStringAsync("/");

        Assert.Matches(@"<th scope=""row"">Slack</th><td><span class=""on"">on</span>", html);
        Assert.Contains("The playground is off", html);
        Assert.DoesNotContain("href=\"/playground\"", html);
    }

    [Fact]
    public async Task Every_link_on_the_home_page_answers()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);
        var html = await host.Client.GetStringAsync("/");

        var links = Href().Matches(html).Select(m => m.Groups[1].Value).Where(l => l.StartsWith('/')).Distinct().ToList();

        Assert.Superset(new HashSet<string> { "/playground", "/readyz", "/healthz", "/metrics", "/openapi/v1.json" }, links.ToHashSet());
        foreach (var link in links)
            Assert.True((await host.Client.GetAsync(link)).StatusCode == HttpStatusCode.OK, link);
    }

    [Fact]
    public async Task Definition_problems_from_readyz_are_shown_encoded_as_text()
    {
        await using var slack = await SlackFake.StartNew();
        var folder = TestWorkflows.Folder("""
            id: "<script>alert(1)</script>"
            name: Broken
            steps: []
            """);
        await using var host = TestHost.Start(slack, settings: new Dictionary<string, string?> { ["Workflows:Path"] = folder });

        var html = await host.Client.GetStringAsync("/");

        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.Matches(@"<li class=""problem"">[^<]*extra-0\.yaml", html);
    }

    [Fact]
    public async Task A_caller_from_another_machine_is_not_shown_paths_on_this_one()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);
        var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add(RemoteAddressFilter.Header, "203.0.113.7");

        var html = await (await host.Client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.DoesNotContain(host.DbPath, html);
        Assert.DoesNotContain(Repo.Root, html);
        Assert.Contains("shown on this machine only", html);
    }

    [Fact]
    public async Task The_page_is_accessible_in_its_basics()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);

        var html = await host.Client.GetStringAsync("/");

        Assert.Contains("<html lang=\"en\">", html);
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html);
        Assert.Single(Regex.Matches(html, "<h1>"));
        Assert.DoesNotMatch("<th>", html);
        Assert.Contains(":focus-visible", html);
    }

    [Theory]
    [InlineData("POST", "/", HttpStatusCode.MethodNotAllowed)]
    [InlineData("GET", "/index.html", HttpStatusCode.NotFound)]
    [InlineData("GET", "/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("GET", "/?q=<script>alert(1)</script>", HttpStatusCode.OK)]
    public async Task Anything_but_a_plain_GET_of_the_root_is_not_the_home_page_and_nothing_is_echoed(string method, string path, HttpStatusCode expected)
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);

        var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain("<script>", await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();
}
