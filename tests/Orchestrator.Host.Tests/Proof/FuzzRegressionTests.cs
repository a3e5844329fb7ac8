using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Proof;

/// <summary>Inputs the fuzz suite once turned into a 5xx, kept as plain cases.</summary>
public sealed class FuzzRegressionTests : IAsyncLifetime
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
    public async Task A_bare_slash_command_without_a_text_field_is_answered_with_the_help()
    {
        var body = TestHost.Form(("team_id", "T1"), ("channel_id", "C1"), ("user_id", Alice), ("command", "/orchestrate"),
            ("response_url", _slack.ResponseUrl("bare").ToString()), ("trigger_id", "trig-bare"));

        Assert.Equal(HttpStatusCode.OK, (await _host.PostSigned("/slack/commands", body, "application/x-www-form-urlencoded")).StatusCode);
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("start and follow approvals")), what: "the help answered");
    }

    [Fact]
    public async Task A_signed_command_with_an_overlong_trigger_id_is_acknowledged_and_recorded_once()
    {
        // LiteDB refuses index keys of 1,023 bytes or more; the inbox key is built from the trigger id.
        var body = TestHost.Form(("team_id", "T1"), ("channel_id", "C1"), ("user_id", Alice), ("command", "/orchestrate"), ("text", "help"),
            ("response_url", _slack.ResponseUrl("long").ToString()), ("trigger_id", new string('t', 5_000)));

        var first = await _host.PostSigned("/slack/commands", body, "application/x-www-form-urlencoded");
        var again = await _host.PostSigned("/slack/commands", body, "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, _host.Store.CountInbound());
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("start and follow approvals")), what: "the help answered");
        Assert.Single(_slack.Responses());
    }

    [Fact]
    public async Task A_signed_event_with_an_overlong_event_id_is_acknowledged()
    {
        var body = new JsonObject
        {
            ["type"] = "event_callback",
            ["event_id"] = new string('e', 3_000),
            ["event"] = new JsonObject { ["type"] = "app_home_opened", ["user"] = Alice, ["tab"] = "home" },
        };

        var response = await _host.PostSigned("/slack/events", body.ToJsonString(), "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _host.Store.CountInbound());
    }

    [Theory]
    [InlineData("false")]
    [InlineData("[]")]
    [InlineData("\"values\"")]
    public async Task A_signed_view_submission_whose_state_is_not_an_object_is_a_bad_request(string state)
    {
        var payload = """{"type":"view_submission","user":{"id":"UBOB"},"view":{"id":"V1","hash":"h","callback_id":"start_form","private_metadata":"","state":""" + state + "}}";

        var response = await _host.PostSigned("/slack/interactions", TestHost.Form(("payload", payload)), "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _host.Store.CountInbound());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_local_activity_without_a_usable_service_url_is_a_bad_request(string? serviceUrl)
    {
        await using var connector = await TeamsStory.StartConnector();
        var activity = TeamsStory.Message(connector, TeamsStory.Alice, "help");
        if (serviceUrl is null) activity.Remove("serviceUrl");
        else activity["serviceUrl"] = serviceUrl;

        var response = await _host.SendActivity(activity);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(connector.Calls);
    }
}
