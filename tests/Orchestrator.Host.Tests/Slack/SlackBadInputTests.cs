using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Slack;

/// <summary>Forged, stale, malformed and wrong-hand requests: a clear answer and no change of state.</summary>
public sealed class SlackBadInputTests : IAsyncLifetime
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

    private string CommandBody(string text) => TestHost.Form(
        ("user_id", Alice), ("command", "/orchestrate"), ("text", text),
        ("response_url", _slack.ResponseUrl("x").ToString()), ("trigger_id", $"t-{Guid.NewGuid():N}"));

    [Theory]
    [InlineData("/slack/commands")]
    [InlineData("/slack/interactions")]
    [InlineData("/slack/events")]
    public async Task A_request_signed_with_another_secret_is_refused_and_nothing_is_recorded(string path)
    {
        var response = await _host.PostSigned(path, CommandBody("start purchase amount=5 item=x"), "application/x-www-form-urlencoded", secret: "not-the-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, _host.Store.CountInbound());
        Assert.Empty(_slack.Calls);
    }

    [Fact]
    public async Task A_request_older_than_five_minutes_is_refused()
    {
        var response = await _host.PostSigned("/slack/commands", CommandBody("help"), "application/x-www-form-urlencoded", at: DateTimeOffset.UtcNow.AddMinutes(-6));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, _host.Store.CountInbound());
    }

    [Fact]
    public async Task An_unsigned_request_is_refused()
    {
        var response = await _host.Client.PostAsync("/slack/commands", new StringContent(CommandBody("help")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, _host.Store.CountInbound());
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_refused()
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString();
        var request = new HttpRequestMessage(HttpMethod.Post, "/slack/commands") { Content = new StringContent(CommandBody("help").Replace("help", "mine")) };
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", Orchestrator.Host.Slack.SlackSignatureVerifier.Sign(TestHost.SigningSecret, ts, System.Text.Encoding.UTF8.GetBytes(CommandBody("help"))));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Client.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("/slack/commands", "text=help")]
    [InlineData("/slack/interactions", "nopayload=1")]
    [InlineData("/slack/interactions", "payload=%7Bnot%20json")]
    [InlineData("/slack/interactions", "payload=%5B1%2C2%5D")]
    [InlineData("/slack/interactions", "payload=%7B%22type%22%3A%22block_actions%22%7D")]
    [InlineData("/slack/interactions", "payload=%7B%22type%22%3A%22block_actions%22%2C%22user%22%3A%7B%22id%22%3A5%7D%7D")]
    [InlineData("/slack/events", "{not json")]
    [InlineData("/slack/events", "{\"type\":\"event_callback\"}")]
    [InlineData("/slack/events", "{\"type\":\"url_verification\"}")]
    public async Task A_signed_but_malformed_body_gets_400_and_nothing_is_recorded(string path, string body)
    {
        var response = await _host.PostSigned(path, body, "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _host.Store.CountInbound());
    }

    [Fact]
    public async Task A_button_whose_value_names_no_assignment_gets_400()
    {
        var response = await _host.Click(_slack, Bob, "approve", "garbage");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _host.Store.CountInbound());
    }

    [Fact]
    public async Task Url_verification_echoes_the_challenge()
    {
        var response = await _host.PostSigned("/slack/events", "{\"type\":\"url_verification\",\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\"}", "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", (string?)body["challenge"]);
    }

    [Theory]
    [InlineData("frobnicate", "I don't know the command 'frobnicate'")]
    [InlineData("stat", "Did you mean 'status'?")]
    [InlineData("start", "start needs the id of a workflow")]
    [InlineData("start purchse amount=5 item=x", "Valid workflows: purchase")]
    [InlineData("start purchase amount=abc item=Desk", "amount must be a number, got 'abc'")]
    [InlineData("start purchase amount=5 item=\"Desk", "A double quote is not closed")]
    [InlineData("start purchase amount=5 colour=red item=x", "colour")]
    [InlineData("status nothing-1", "There is no request nothing-1")]
    public async Task A_wrong_command_gets_a_private_answer_that_says_what_is_wrong_and_starts_nothing(string text, string expected)
    {
        var response = await _host.Command(_slack, Alice, text);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains(expected)), what: $"an answer containing '{expected}'");
        Assert.Equal(0, _host.Store.CountInstances());
        Assert.Empty(_slack.CallsTo("chat.postMessage"));
    }

    [Fact]
    public async Task An_unknown_workflow_lists_the_valid_ones_closest_first()
    {
        await _host.Command(_slack, Alice, "start acess");
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("Valid workflows")), what: "the list");
        Assert.Contains("Valid workflows: access, ", _slack.Responses().Single());
    }

    [Fact]
    public async Task A_click_by_someone_who_is_not_the_assignee_changes_nothing_and_tells_them_why_privately()
    {
        var card = await StartPurchaseAndGetBobsCard();
        var revision = _host.Store.Get("purchase-1")!.Revision;

        await _host.Click(_slack, Mallory, "approve", card.ButtonValue("approve"));
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("This card is for Bob Brown")), what: "the private explanation");

        Assert.Equal(revision, _host.Store.Get("purchase-1")!.Revision);
        Assert.Empty(_slack.CallsTo("chat.update"));
        Assert.Empty(_slack.Cards(Dave));
        Assert.NotEmpty(_slack.Cards(Bob)[0].Buttons());
    }

    [Fact]
    public async Task A_reject_click_by_a_stranger_opens_no_modal()
    {
        var card = await StartPurchaseAndGetBobsCard();
        await _host.Click(_slack, Mallory, "reject", card.ButtonValue("reject"));
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("This card is for Bob Brown")), what: "the private explanation");
        Assert.Empty(_slack.CallsTo("views.open"));
    }

    [Fact]
    public async Task A_forged_reject_submission_by_a_stranger_changes_nothing()
    {
        var card = await StartPurchaseAndGetBobsCard();
        var reason = new JsonObject { ["reason"] = new JsonObject { ["reason"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = "no" } } };
        await _host.SubmitView(Mallory, "reject_reason", card.ButtonValue("reject"), reason);
        await _slack.WaitFor(s => s.Dm(Mallory).Any(m => m.AllText().Contains("This card is for Bob Brown")), what: "Mallory told why");
        Assert.Equal("Open", _host.Store.Get("purchase-1")!.State.ToString());
    }

    [Fact]
    public async Task Duplicate_and_concurrent_clicks_record_one_decision()
    {
        var card = await StartPurchaseAndGetBobsCard();
        var value = card.ButtonValue("approve");

        var clicks = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _host.Click(_slack, Bob, "approve", value)));
        Assert.All(clicks, c => Assert.Equal(HttpStatusCode.OK, c.StatusCode));

        await _slack.WaitFor(s => s.Cards(Dave).Count == 1 && s.Cards(Erin).Count == 1, what: "finance cards");
        await _slack.WaitFor(s => s.Responses().Count(r => r.StartsWith("Already decided", StringComparison.Ordinal)) == 4, what: "four 'already decided' answers");
        var instance = _host.Store.Get("purchase-1")!;
        Assert.Single(instance.Steps[0].Assignments, a => a.Decision is not null);
        Assert.Single(instance.History, e => e.Kind == Orchestrator.Core.Instances.EventKind.Decided);
        Assert.Single(_slack.Cards(Dave));
        Assert.Single(_slack.Cards(Erin));
    }

    [Fact]
    public async Task A_click_on_a_step_already_decided_by_someone_else_says_who_decided()
    {
        await _host.Command(_slack, Alice, "start purchase amount=1500 item=Desk");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Cards(Dave).Count == 1, what: "Dave's card");
        var daveValue = _slack.Cards(Dave)[0].ButtonValue("approve");
        await _host.Click(_slack, Dave, "approve", daveValue);
        await _slack.WaitFor(s => s.Cards(Dave)[0].Updates > 0, what: "Dave's card updated");

        await _host.Click(_slack, Dave, "approve", daveValue);
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("Already decided: you approved")), what: "already decided");
    }

    [Fact]
    public async Task A_retried_slash_command_is_recorded_once()
    {
        var body = CommandBody("start purchase amount=5 item=Pen");
        var first = await _host.PostSigned("/slack/commands", body, "application/x-www-form-urlencoded");
        var retry = await _host.PostSigned("/slack/commands", body, "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        Assert.Equal(1, _host.Store.CountInstances());
    }

    [Fact]
    public async Task An_event_delivered_twice_is_handled_once()
    {
        var body = new JsonObject
        {
            ["type"] = "event_callback",
            ["event_id"] = "Ev123",
            ["event"] = new JsonObject { ["type"] = "message", ["channel_type"] = "im", ["user"] = Alice, ["text"] = "help", ["channel"] = "D1" },
        }.ToJsonString();
        await _host.PostSigned("/slack/events", body, "application/json");
        await _host.PostSigned("/slack/events", body, "application/json");
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("Orchestrator")), what: "help in Alice's DM");
        await Task.Delay(300);
        Assert.Single(_slack.Dm(Alice));
    }

    [Fact]
    public async Task Missing_required_inputs_open_a_modal_and_its_submission_starts_the_workflow()
    {
        await _host.Command(_slack, Alice, "start purchase item=Lamp");
        await _slack.WaitFor(s => s.CallsTo("views.open").Count == 1, what: "the start form");
        var view = _slack.CallsTo("views.open")[0].Body["view"]!.AsObject();
        Assert.Equal("start_form", (string?)view["callback_id"]);
        Assert.Equal(0, _host.Store.CountInstances());

        var bad = await _host.SubmitView(Alice, "start_form", "purchase", Values(("amount", "number_input", "lots"), ("item", "plain_text_input", "Lamp")));
        var errors = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
        Assert.Equal("errors", (string?)errors["response_action"]);
        Assert.NotNull(errors["errors"]!["amount"]);
        Assert.Equal(0, _host.Store.CountInstances());

        var good = await _host.SubmitView(Alice, "start_form", "purchase", Values(("amount", "number_input", "80"), ("item", "plain_text_input", "Lamp")));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("Started purchase-1")), what: "Alice told it started");
    }

    private static JsonObject Values(params (string Block, string Type, string Value)[] fields)
    {
        var values = new JsonObject();
        foreach (var (block, type, value) in fields)
            values[block] = new JsonObject { [block] = new JsonObject { ["type"] = type, ["value"] = value } };
        return values;
    }

    private async Task<SlackFakeMessage> StartPurchaseAndGetBobsCard()
    {
        await _host.Command(_slack, Alice, "start purchase amount=1500 item=Desk");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        // The card's delivery is recorded on the instance just after Slack took it; wait, so later revisions are stable.
        await _slack.WaitFor(_ => _host.Store.Get("purchase-1")!.Steps[0].Assignments[0].DeliveredVia is not null, what: "the delivery recorded");
        return _slack.Cards(Bob)[0];
    }
}
