using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Playground;

/// <summary>
/// The playground acts as anyone without signing in, so it is for this machine only, on only when asked for or when no
/// platform is configured, and it answers every malformed request with a clear error and no change.
/// </summary>
public sealed class PlaygroundGuardTests
{
    private const string Alice = "alice@example.com";

    [Fact]
    public async Task Without_Slack_or_an_app_id_the_playground_is_on_and_serves_its_page_and_the_card_renderer()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);

        var page = await host.Client.GetAsync("/playground");
        var renderer = await host.Client.GetAsync("/playground/assets/adaptivecards.min.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"en\">", html);
        Assert.Contains("<label for=\"person\">Chat as</label>", html);
        Assert.Contains("<label for=\"message\">Message</label>", html);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, renderer.StatusCode);
        Assert.Contains("AdaptiveCards", await renderer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/playground/assets/index.cs")).StatusCode);
    }

    [Fact]
    public async Task With_Slack_configured_the_playground_is_off_and_says_how_to_turn_it_on()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack);

        var page = await host.Client.GetAsync("/playground");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("Playground:Enabled=true", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/playground/connector/v3/conversations/a:playground:alice@example.com/members/29:playground:alice@example.com")).StatusCode);
    }

    [Fact]
    public async Task Playground_Enabled_turns_it_on_beside_Slack()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: new Dictionary<string, string?> { ["Playground:Enabled"] = "true" });

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/playground")).StatusCode);
    }

    [Fact]
    public async Task Playground_Enabled_with_an_app_id_stops_the_host_at_start_saying_why()
    {
        await using var slack = await SlackFake.StartNew();
        var settings = new Dictionary<string, string?>
        {
            ["Playground:Enabled"] = "true",
            ["MicrosoftAppType"] = "SingleTenant",
            ["MicrosoftAppId"] = "00000000-0000-0000-0000-000000000001",
            ["MicrosoftAppPassword"] = "secret",
            ["MicrosoftAppTenantId"] = "tenant",
        };

        var failure = Record.Exception(() => TestHost.Start(slack, settings: settings));

        Assert.NotNull(failure);
        Assert.Contains("Playground:Enabled is true but MicrosoftAppId is set", Messages(failure));
    }

    [Theory]
    [InlineData("GET", "/playground")]
    [InlineData("POST", "/playground/messages")]
    [InlineData("POST", "/playground/join")]
    [InlineData("GET", "/playground/connector/v3/conversations/a:playground:alice@example.com/members/29:playground:alice@example.com")]
    public async Task A_caller_from_another_machine_gets_403_with_the_reason_and_nothing_is_sent(string method, string path)
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);

        var response = await host.Client.SendAsync(Request(method, path, new JsonObject { ["person"] = Alice, ["text"] = "help" }, r => r.Headers.Add(RemoteAddressFilter.Header, "203.0.113.7")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("serves this machine only", await response.Content.ReadAsStringAsync());
        Assert.Empty(await host.Chat(Alice));
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7")]
    public async Task A_loopback_caller_that_forwards_for_someone_else_gets_403(string header, string value)
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);

        var response = await host.Client.SendAsync(Request("GET", "/playground", null, r => r.Headers.Add(header, value)));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_request_under_another_host_name_is_refused_so_a_rebound_web_page_cannot_drive_it()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);

        var response = await host.Client.SendAsync(Request("GET", "/playground", null, r => r.Headers.Host = "evil.example"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("only at localhost", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_post_from_another_origin_or_not_in_JSON_is_refused_and_nothing_is_sent()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);
        var body = new JsonObject { ["person"] = Alice, ["text"] = "start purchase amount=1 item=x" };

        var crossOrigin = await host.Client.SendAsync(Request("POST", "/playground/messages", body, r => r.Headers.Add("Origin", "https://evil.example")));
        var form = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/playground/messages")
        {
            Content = new StringContent("person=alice%40example.com&text=help", Encoding.UTF8, "application/x-www-form-urlencoded"),
        });

        Assert.Equal(HttpStatusCode.Forbidden, crossOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Contains("JSON bodies only", await form.Content.ReadAsStringAsync());
        Assert.Empty(await host.Chat(Alice));
    }

    [Theory]
    [InlineData("/playground/messages", "not json", "must be a JSON object")]
    [InlineData("/playground/messages", """{"person":"mallory@example.com","text":"help"}""", "is not a person in the directory")]
    [InlineData("/playground/messages", """{"person":"alice@example.com","text":"   "}""", "text is empty")]
    [InlineData("/playground/messages", """{"person":"alice@example.com","text":42}""", "text is empty")]
    [InlineData("/playground/actions", """{"person":"alice@example.com","activityId":"m-1","verb":"approve"}""", "There is no card 'm-1'")]
    [InlineData("/playground/actions", """{"person":"alice@example.com","activityId":"m-1","verb":""}""", "verb must name")]
    [InlineData("/playground/actions", """{"person":"alice@example.com","as":"mallory@example.com","activityId":"m-1","verb":"approve"}""", "'mallory@example.com' is not a person")]
    [InlineData("/playground/actions", """{"person":"alice@example.com","activityId":"m-1","verb":"approve","data":[1]}""", "data must be a JSON object")]
    public async Task A_malformed_request_gets_a_clear_error_and_nothing_is_sent(string path, string body, string expected)
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);

        var response = await host.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, response.StatusCode.ToString());
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        Assert.Empty(await host.Chat(Alice));
    }

    [Fact]
    public async Task A_message_longer_than_the_limit_is_refused_whole()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);

        var response = await host.Post("/playground/messages", new JsonObject { ["person"] = Alice, ["text"] = new string('x', 4001) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 4000 characters", await response.Content.ReadAsStringAsync());
        Assert.Empty(await host.Chat(Alice));
    }

    [Fact]
    public async Task The_connector_answers_as_the_Bot_Connector_does_for_people_and_chats_it_does_not_know()
    {
        await using var slack = await SlackFake.StartNew();
        await using var host = TestHost.Start(slack, settings: PlaygroundTests.NothingConfigured);
        const string connector = "/playground/connector/v3/conversations";

        var member = await host.Client.GetStringAsync($"{connector}/a:playground:alice@example.com/members/29:playground:alice@example.com");
        var stranger = await host.Client.GetAsync($"{connector}/a:playground:alice@example.com/members/29:playground:mallory@example.com");
        var elsewhere = await host.Post($"{connector}/19:somewhere-else/activities", new JsonObject { ["type"] = "message", ["text"] = "hi" });
        var create = await host.Post(connector, new JsonObject { ["members"] = new JsonArray(new JsonObject { ["id"] = "29:playground:mallory@example.com" }) });

        Assert.Contains("\"email\":\"alice@example.com\"", member);
        Assert.Contains("\"userPrincipalName\":\"alice@example.com\"", member);
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        Assert.Contains("MemberNotFoundInConversation", await stranger.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
    }

    private static HttpRequestMessage Request(string method, string path, JsonObject? body, Action<HttpRequestMessage>? change = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new StringContent((body ?? []).ToJsonString(), Encoding.UTF8, "application/json");
        change?.Invoke(request);
        return request;
    }

    private static string Messages(Exception failure)
    {
        var all = new List<string>();
        for (var e = failure; e is not null; e = e.InnerException) all.Add(e.Message);
        return string.Join('\n', all);
    }
}
