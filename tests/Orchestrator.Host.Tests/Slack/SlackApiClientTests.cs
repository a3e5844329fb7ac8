using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Tests.Fakes;

namespace Orchestrator.Host.Tests.Slack;

public sealed class SlackApiClientTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private ServiceProvider _services = null!;
    private ISlackApi _api = null!;

    public async Task InitializeAsync()
    {
        _slack = await SlackFake.StartNew();
        _slack.AddUser("U100", "alice@example.com", "Alice Liddell", "Europe/Berlin");
        _slack.AddUser("U200", "bob@example.com", "Bob Builder", "America/New_York");
        _services = Services(_slack.BotToken);
        _api = _services.GetRequiredService<ISlackApi>();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Opening_a_DM_twice_gives_the_same_channel()
    {
        var first = await _api.OpenDirectMessage("U100");
        var second = await _api.OpenDirectMessage("U100");
        var other = await _api.OpenDirectMessage("U200");

        Assert.StartsWith("D", first);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task A_message_is_found_by_the_key_in_its_metadata_in_the_channel_or_its_thread()
    {
        var channel = await _api.OpenDirectMessage("U100");
        SlackMessageMetadata Key(string key) => new("orchestrator_effect", new JsonObject { ["key"] = key });
        var card = await _api.PostMessage(new SlackMessage(channel, "card", Metadata: Key("i-1/r1/0")));
        await _api.PostMessage(new SlackMessage(channel, "other", Metadata: Key("i-1/r1/1")));
        var reply = await _api.PostMessage(new SlackMessage(channel, "nudge", ThreadTs: card.Ts, Metadata: Key("i-1/r2/0")));

        Assert.Equal(card, await _api.FindMessageByKey(channel, null, "orchestrator_effect", "i-1/r1/0"));
        Assert.Equal(reply, await _api.FindMessageByKey(channel, card.Ts, "orchestrator_effect", "i-1/r2/0"));
        Assert.Null(await _api.FindMessageByKey(channel, null, "orchestrator_effect", "i-1/r2/0")); // replies are not in the channel's history
        Assert.Null(await _api.FindMessageByKey(channel, null, "another_type", "i-1/r1/0"));
        Assert.Null(await _api.FindMessageByKey(channel, null, "orchestrator_effect", "i-9/r1/0"));
        Assert.All(_slack.CallsTo("conversations.history"), c => Assert.Equal("application/x-www-form-urlencoded", c.ContentType));
    }

    [Fact]
    public async Task A_posted_message_arrives_with_its_blocks_metadata_and_bot_token()
    {
        var channel = await _api.OpenDirectMessage("U100");
        var blocks = new Block[]
        {
            new SectionBlock(new Markdown("*Expense of 120 EUR*")),
            new ActionsBlock([new ButtonElement("approve", new PlainText("Approve"), "expense-17", ButtonStyle.Primary)], "decision"),
        };
        var metadata = new SlackMessageMetadata("orchestrator_step", new JsonObject { ["instance"] = "expense-17" });

        var posted = await _api.PostMessage(new SlackMessage(channel, "Expense of 120 EUR", blocks, Metadata: metadata));

        var message = Assert.Single(_slack.Messages);
        Assert.Equal(new SlackMessageRef(channel, message.Ts), posted);
        Assert.Equal("Expense of 120 EUR", message.Text);
        Assert.Equal("approve", message.Blocks![1]!["elements"]![0]!["action_id"]!.GetValue<string>());
        Assert.Equal("primary", message.Blocks[1]!["elements"]![0]!["style"]!.GetValue<string>());
        Assert.Equal("expense-17", message.Metadata!["event_payload"]!["instance"]!.GetValue<string>());
        var call = Assert.Single(_slack.CallsTo("chat.postMessage"));
        Assert.Equal(_slack.BotToken, call.Token);
        Assert.Equal("application/json; charset=utf-8", call.ContentType);
    }

    [Fact]
    public async Task Each_posted_message_gets_a_later_ts()
    {
        var first = await _api.PostMessage(new SlackMessage("U100", "one"));
        var second = await _api.PostMessage(new SlackMessage("U100", "two"));

        Assert.True(decimal.Parse(second.Ts, System.Globalization.CultureInfo.InvariantCulture)
            > decimal.Parse(first.Ts, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Updating_a_message_replaces_its_text_and_removes_its_buttons()
    {
        var posted = await _api.PostMessage(new SlackMessage("U100", "Approve?",
            [new ActionsBlock([new ButtonElement("approve", new PlainText("Approve"))])]));

        await _api.UpdateMessage(posted.Channel, posted.Ts, "Approved by Alice", blocks: null);

        var message = _slack.Message(posted.Channel, posted.Ts)!;
        Assert.Equal("Approved by Alice", message.Text);
        Assert.Empty(message.Blocks!);
        Assert.Equal(1, message.Updates);
    }

    [Fact]
    public async Task Updating_an_unknown_message_reports_message_not_found()
    {
        var channel = await _api.OpenDirectMessage("U100");

        var e = await Assert.ThrowsAsync<SlackApiException>(() => _api.UpdateMessage(channel, "1.000001", "x", null));

        Assert.Equal("Slack chat.update failed: message_not_found", e.Message);
        Assert.False(e.Transient);
    }

    [Fact]
    public async Task An_ephemeral_message_is_sent_to_the_one_user()
    {
        var channel = await _api.OpenDirectMessage("U100");

        await _api.PostEphemeral(channel, "U100", "Only Bob may decide this step.", null);

        var call = Assert.Single(_slack.CallsTo("chat.postEphemeral"));
        Assert.Equal("U100", call.Arg("user"));
        Assert.Equal("Only Bob may decide this step.", call.Arg("text"));
        Assert.Empty(_slack.Messages);
    }

    [Fact]
    public async Task User_info_gives_email_name_and_time_zone_from_a_form_post()
    {
        var user = await _api.UserInfo("U200");

        Assert.Equal("U200", user.Id);
        Assert.Equal("bob@example.com", user.Email);
        Assert.Equal("Bob Builder", user.RealName);
        Assert.Equal("America/New_York", user.Tz);
        Assert.Equal(TimeSpan.FromHours(-5), user.TzOffset);
        Assert.Equal("application/x-www-form-urlencoded", Assert.Single(_slack.CallsTo("users.info")).ContentType);
    }

    [Fact]
    public async Task User_info_of_an_unknown_user_reports_user_not_found()
    {
        var e = await Assert.ThrowsAsync<SlackApiException>(() => _api.UserInfo("U999"));

        Assert.Equal("users.info", e.Method);
        Assert.Equal("user_not_found", e.Error);
        Assert.False(e.Transient);
    }

    [Fact]
    public async Task Looking_up_a_known_email_finds_the_user_and_an_unknown_one_gives_null()
    {
        var alice = await _api.LookupByEmail("alice@example.com");
        var nobody = await _api.LookupByEmail("nobody@example.com");

        Assert.Equal("U100", alice!.Id);
        Assert.Null(nobody);
    }

    [Fact]
    public async Task Opening_a_modal_returns_its_view_id()
    {
        var modal = new ModalView(
            new PlainText("Reject expense-17"),
            [new InputBlock(new PlainText("Reason"), new PlainTextInputElement("reason", Multiline: true), "reason")],
            CallbackId: "reject_reason",
            PrivateMetadata: "expense-17",
            Submit: new PlainText("Reject"));

        var viewId = await _api.OpenView("trigger-1", modal);

        Assert.StartsWith("V", viewId);
        var sent = Assert.Single(_slack.CallsTo("views.open")).Body["view"]!;
        Assert.Equal("modal", sent["type"]!.GetValue<string>());
        Assert.Equal("reject_reason", sent["callback_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Publishing_a_home_view_sets_the_users_home_tab()
    {
        await _api.PublishView("U100", new HomeView([new HeaderBlock(new PlainText("Waiting for you"))]));

        var home = _slack.HomeView("U100")!;
        Assert.Equal("home", home["type"]!.GetValue<string>());
        Assert.Equal("Waiting for you", home["blocks"]![0]!["text"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Responding_posts_json_to_the_response_url_without_the_bot_token()
    {
        await _api.Respond(_slack.ResponseUrl("cmd-1"), "Started expense-17", null, SlackResponseType.InChannel, replaceOriginal: true);

        var call = Assert.Single(_slack.CallsTo("respond/cmd-1"));
        Assert.Null(call.Token);
        Assert.Equal("in_channel", call.Arg("response_type"));
        Assert.True(call.Body["replace_original"]!.GetValue<bool>());
        Assert.Equal("Started expense-17", call.Arg("text"));
    }

    [Fact]
    public async Task An_expired_response_url_is_reported_as_not_transient()
    {
        _slack.FailNext("respond/cmd-2", "expired_url");

        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            _api.Respond(_slack.ResponseUrl("cmd-2"), "late", null, SlackResponseType.Ephemeral, replaceOriginal: false));

        Assert.Equal("expired_url", e.Error);
        Assert.False(e.Transient);
    }

    [Theory]
    [InlineData("channel_not_found", false)]
    [InlineData("invalid_blocks", false)]
    [InlineData("internal_error", true)]
    [InlineData("service_unavailable", true)]
    [InlineData("request_timeout", true)]
    [InlineData("fatal_error", true)]
    [InlineData("ratelimited", true)]
    public async Task A_slack_error_is_surfaced_with_method_error_and_whether_to_retry(string error, bool transient)
    {
        _slack.FailNext("chat.postMessage", error);

        var e = await Assert.ThrowsAsync<SlackApiException>(() => _api.PostMessage(new SlackMessage("U100", "hi")));

        Assert.Equal($"Slack chat.postMessage failed: {error}", e.Message);
        Assert.Equal("chat.postMessage", e.Method);
        Assert.Equal(transient, e.Transient);
    }

    [Fact]
    public async Task A_scripted_failure_applies_only_to_the_next_calls()
    {
        _slack.FailNext("chat.postMessage", "channel_not_found", count: 2);

        await Assert.ThrowsAsync<SlackApiException>(() => _api.PostMessage(new SlackMessage("U100", "1")));
        await Assert.ThrowsAsync<SlackApiException>(() => _api.PostMessage(new SlackMessage("U100", "2")));
        await _api.PostMessage(new SlackMessage("U100", "3"));

        Assert.Equal("3", Assert.Single(_slack.Messages).Text);
    }

    [Fact]
    public async Task Http_429_is_reported_with_the_retry_after_delay()
    {
        _slack.RateLimitNext("chat.postMessage", retryAfterSeconds: 7);

        var e = await Assert.ThrowsAsync<SlackRateLimitedException>(() => _api.PostMessage(new SlackMessage("U100", "hi")));

        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
        Assert.True(e.Transient);
        Assert.Equal("Slack chat.postMessage failed: ratelimited", e.Message);
    }

    [Fact]
    public async Task Http_500_is_reported_as_transient()
    {
        _slack.ServerErrorNext("users.info");

        var e = await Assert.ThrowsAsync<SlackApiException>(() => _api.UserInfo("U100"));

        Assert.Equal("http_500", e.Error);
        Assert.True(e.Transient);
    }

    [Fact]
    public async Task A_call_that_times_out_is_reported_as_transient()
    {
        _slack.DelayNext("chat.postMessage", TimeSpan.FromSeconds(5));
        using var http = new HttpClient { BaseAddress = _slack.ApiBaseUrl, Timeout = TimeSpan.FromMilliseconds(200) };
        var api = new SlackApiClient(http, Options.Create(new SlackOptions { BotToken = _slack.BotToken }));

        var e = await Assert.ThrowsAsync<SlackApiException>(() => api.PostMessage(new SlackMessage("U100", "hi")));

        Assert.Equal("Slack chat.postMessage failed: timeout", e.Message);
        Assert.True(e.Transient);
    }

    [Fact]
    public async Task Cancelling_a_call_is_not_mistaken_for_a_timeout()
    {
        _slack.DelayNext("chat.postMessage", TimeSpan.FromSeconds(5));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _api.PostMessage(new SlackMessage("U100", "hi"), cancel.Token));
    }

    [Fact]
    public async Task Slack_being_unreachable_is_transient_and_calls_work_again_once_it_is_back()
    {
        await _slack.Stop();

        var e = await Assert.ThrowsAsync<SlackApiException>(() => _api.OpenDirectMessage("U100"));
        Assert.True(e.Transient);
        Assert.IsType<HttpRequestException>(e.InnerException);

        await _slack.Start();
        Assert.StartsWith("D", await _api.OpenDirectMessage("U100"));
    }

    [Fact]
    public async Task Without_a_bot_token_slack_answers_not_authed()
    {
        await using var services = Services(botToken: null);
        var api = services.GetRequiredService<ISlackApi>();

        var e = await Assert.ThrowsAsync<SlackApiException>(() => api.OpenDirectMessage("U100"));

        Assert.Equal("not_authed", e.Error);
        Assert.False(e.Transient);
    }

    [Fact]
    public async Task With_a_wrong_bot_token_slack_answers_invalid_auth()
    {
        await using var services = Services("xoxb-wrong");
        var api = services.GetRequiredService<ISlackApi>();

        var e = await Assert.ThrowsAsync<SlackApiException>(() => api.PostMessage(new SlackMessage("U100", "hi")));

        Assert.Equal("Slack chat.postMessage failed: invalid_auth", e.Message);
        Assert.Empty(_slack.Messages);
    }

    private ServiceProvider Services(string? botToken)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString().TrimEnd('/'),
                ["Slack:BotToken"] = botToken,
            })
            .Build();
        return new ServiceCollection().AddSlackApi(configuration).BuildServiceProvider();
    }
}
