using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Slack;

/// <summary>The outbox against a Slack that rate-limits, errs, and goes away; and a host that restarts.</summary>
public sealed class DeliveryTests : IAsyncLifetime
{
    private SlackFake _slack = null!;

    public async Task InitializeAsync() => _slack = await StartSlack();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [Fact]
    public async Task A_429_is_retried_after_Retry_After_and_the_card_is_posted_once()
    {
        await using var host = TestHost.Start(_slack);
        _slack.RateLimitNext("chat.postMessage", retryAfterSeconds: 1);
        await host.Command(_slack, Alice, "start purchase amount=5 item=Pen");

        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card after the rate limit");
        var attempts = _slack.CallsTo("chat.postMessage").Where(c => c.Arg("channel") == _slack.DirectChannelOf(Bob)).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(0.9), "the retry waited for Retry-After");
        Assert.Single(_slack.Cards(Bob));
    }

    [Fact]
    public async Task Server_errors_are_retried_until_delivered_once()
    {
        await using var host = TestHost.Start(_slack);
        _slack.ServerErrorNext("conversations.open", count: 2);
        await host.Command(_slack, Alice, "start purchase amount=5 item=Pen");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card after two 500s");
        Assert.Single(_slack.Cards(Bob));
    }

    [Fact]
    public async Task A_permanent_Slack_error_marks_the_message_failed_with_method_and_error()
    {
        await using var host = TestHost.Start(_slack);
        _slack.FailNext("chat.postMessage", "channel_not_found");
        await host.Command(_slack, Alice, "start purchase amount=5 item=Pen");
        await Eventually.Until(() => host.Store.AllOutbox().Any(o => o.State == OutboxState.Failed), "a failed outbox message", TimeSpan.FromSeconds(60));
        var failed = host.Store.AllOutbox().Single(o => o.State == OutboxState.Failed);
        Assert.Equal("Slack chat.postMessage failed: channel_not_found", failed.Error);
        Assert.Empty(_slack.Cards(Bob));

        // A failure for good is an exception someone can act on: the admins hear at once, the requester too.
        await _slack.WaitFor(s => s.Dm(Carol).Any(m => m.AllText().Contains("Could not deliver the card for manager of purchase-1 to Bob Brown")), what: "the admin alerted");
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("purchase-1 is waiting on an admin")), what: "the requester told");
    }

    [Fact]
    public async Task Posts_into_one_channel_keep_Slacks_pace_of_one_per_second()
    {
        await using var host = TestHost.Start(_slack, settings: new Dictionary<string, string?> { ["Delivery:ChannelPace"] = "00:00:01" });
        foreach (var id in new[] { "Ev1", "Ev2", "Ev3" })
        {
            var body = new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "event_callback",
                ["event_id"] = id,
                ["event"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "message", ["channel_type"] = "im", ["user"] = Alice, ["text"] = "help", ["channel"] = "D1" },
            }.ToJsonString();
            await host.PostSigned("/slack/events", body, "application/json");
        }
        await _slack.WaitFor(s => s.Dm(Alice).Count == 3, what: "three answers");
        var posts = _slack.CallsTo("chat.postMessage").Select(c => c.At).Order().ToList();
        Assert.True(posts[1] - posts[0] >= TimeSpan.FromSeconds(0.95), $"{posts[1] - posts[0]}");
        Assert.True(posts[2] - posts[1] >= TimeSpan.FromSeconds(0.95), $"{posts[2] - posts[1]}");
        Assert.All(host.Store.AllOutbox(), o => Assert.Equal(OutboxState.Delivered, o.State));
    }

    [Fact]
    public async Task After_a_restart_state_is_kept_pending_deliveries_complete_and_nothing_is_sent_again()
    {
        var dbPath = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
        string bobValue;
        await using (var first = TestHost.Start(_slack, dbPath))
        {
            await first.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"");
            await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
            bobValue = _slack.Cards(Bob)[0].ButtonValue("approve");

            // Slack goes away: Bob's click is still acknowledged and recorded, its effects wait in the outbox.
            await _slack.Stop();
            var click = await first.Click(_slack, Bob, "approve", bobValue);
            Assert.Equal(System.Net.HttpStatusCode.OK, click.StatusCode);
            await Eventually.Until(() => first.Store.Get("purchase-1")!.Steps[0].State == Orchestrator.Core.Instances.StepState.Approved, "Bob's decision recorded", TimeSpan.FromSeconds(60));
            Assert.Contains(first.Store.AllOutbox(), o => o.State == OutboxState.Pending);
        }

        var postsBefore = _slack.CallsTo("chat.postMessage").Count;
        await _slack.Start();
        await using var second = TestHost.Start(_slack, dbPath);

        await _slack.WaitFor(s => s.Cards(Dave).Count == 1 && s.Cards(Erin).Count == 1, what: "finance cards delivered after restart");
        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0, what: "Bob's card updated after restart");
        await Eventually.Until(() => second.Store.AllOutbox().All(o => o.State == OutboxState.Delivered), "outbox drained", TimeSpan.FromSeconds(60));

        Assert.Single(_slack.Cards(Bob));
        Assert.Equal("Open", second.Store.Get("purchase-1")!.State.ToString());
        Assert.Equal(postsBefore + 3, _slack.CallsTo("chat.postMessage").Count); // Dave's card, Erin's card, Alice's note

        // The same click again after the restart is recognised as already decided.
        await second.Click(_slack, Bob, "approve", bobValue);
        await _slack.WaitFor(s => s.Responses().Any(r => r.StartsWith("Already decided", StringComparison.Ordinal)), what: "already decided");
    }

    [Fact]
    public async Task A_post_Slack_accepted_but_answered_too_late_is_found_on_retry_and_not_posted_again()
    {
        await using var host = TestHost.Start(_slack, settings: new Dictionary<string, string?> { ["Slack:ApiTimeout"] = "00:00:00.500" });
        // Slack takes the card, but its answer comes after the client gave up: the outbox cannot know the post landed.
        _slack.AnswerLate("chat.postMessage", TimeSpan.FromSeconds(3));
        await host.Command(_slack, Alice, "start purchase amount=5 item=Pen");

        await Eventually.Until(() => host.Store.AllOutbox().Where(o => o.Recipient == "bob@example.com").ToList() is { Count: > 0 } forBob
            && forBob.All(o => o.State == OutboxState.Delivered), "Bob's card marked delivered", TimeSpan.FromSeconds(60));
        Assert.Single(_slack.Cards(Bob));
        Assert.Single(_slack.CallsTo("chat.postMessage"), c => c.Arg("channel") == _slack.DirectChannelOf(Bob));
        Assert.Contains(_slack.CallsTo("conversations.history"), c => c.Arg("channel") == _slack.DirectChannelOf(Bob));

        // The card found on retry is the one later updated in place: Bob's click closes it, no second card appears.
        await host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0, what: "Bob's card updated in place");
        Assert.Single(_slack.Cards(Bob));
    }

    [Fact]
    public async Task A_first_try_never_reads_history()
    {
        await using var host = TestHost.Start(_slack);
        await host.Command(_slack, Alice, "start purchase amount=5 item=Pen");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        Assert.Empty(_slack.CallsTo("conversations.history"));
    }

}

public sealed class SlackTimeZoneTests
{
    [Fact]
    public async Task Someone_the_directory_gives_no_zone_is_placed_in_their_Slack_profiles_zone()
    {
        await using var slack = await StartSlack();
        await using var host = TestHost.Start(slack);
        var catalog = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Orchestrator.Core.Engine.Catalog>(host.Services);
        Assert.Equal(TimeZoneInfo.Utc, catalog.People.ZoneOf("mallory@example.com"));

        await host.Command(slack, Mallory, "help");
        await slack.WaitFor(s => s.Responses().Count == 1, what: "help");
        Assert.Equal("Europe/Berlin", catalog.People.ZoneOf("mallory@example.com").Id);
    }
}
