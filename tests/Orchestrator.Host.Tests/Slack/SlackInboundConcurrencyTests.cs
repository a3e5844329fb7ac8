using Microsoft.Extensions.Time.Testing;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Slack;

/// <summary>
/// The inbound processor under one person's slow request: everyone else is answered meanwhile, each person's own requests
/// keep their order, a command naming too many people is refused up front, and Slack is asked about a person once a day.
/// </summary>
public sealed class SlackInboundConcurrencyTests : IAsyncLifetime
{
    // A held call never times out on its own: without concurrency the next person would wait for as long as it is held.
    private static readonly Dictionary<string, string?> PatientClient = new() { ["Slack:ApiTimeout"] = "00:05:00" };
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private SlackFake _slack = null!;

    public async Task InitializeAsync() => _slack = await StartSlack();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [Fact]
    public async Task One_persons_slow_lookup_does_not_hold_up_another_persons_command()
    {
        await using var host = TestHost.Start(_slack, settings: PatientClient);
        var slow = _slack.Hold("users.info", Frank);

        await Command(host, Frank, "requests", "frank");
        await slow.Reached.WaitAsync(Patience);
        await Command(host, Alice, "requests", "alice");

        await _slack.WaitFor(s => Reply(s, "alice") is not null, Patience, "Alice answered while Frank's lookup hangs");
        Assert.Contains("You have not started any request yet", Reply(_slack, "alice"));
        Assert.Null(Reply(_slack, "frank"));

        slow.Release();
        await _slack.WaitFor(s => Reply(s, "frank") is not null, Patience, "Frank answered once Slack answers");
    }

    [Fact]
    public async Task One_persons_requests_are_done_in_the_order_they_came_while_others_go_ahead()
    {
        await using var host = TestHost.Start(_slack, settings: PatientClient);
        var slow = _slack.Hold("users.info", Frank);

        await Command(host, Frank, "start purchase amount=1 item=First", "frank-1");
        await slow.Reached.WaitAsync(Patience);
        await Command(host, Frank, "start purchase amount=2 item=Second", "frank-2");
        await Command(host, Frank, "start purchase amount=3 item=Third", "frank-3");
        await Command(host, Alice, "start purchase amount=4 item=Fourth", "alice");

        await _slack.WaitFor(s => Reply(s, "alice") is not null, Patience, "Alice's start answered first");
        Assert.Contains("purchase-1", Reply(_slack, "alice"));

        slow.Release();
        await _slack.WaitFor(s => Reply(s, "frank-3") is not null, Patience, "Frank's three starts answered");
        Assert.Equal("First", host.Store.Get("purchase-2")!.Inputs["item"]);
        Assert.Equal("Second", host.Store.Get("purchase-3")!.Inputs["item"]);
        Assert.Equal("Third", host.Store.Get("purchase-4")!.Inputs["item"]);
        Assert.Equal(4, host.Store.CountInstances());
    }

    [Fact]
    public async Task A_command_naming_more_people_than_the_limit_is_refused_before_anyone_is_looked_up()
    {
        await using var host = TestHost.Start(_slack);
        var mentions = string.Join(' ', Enumerable.Range(1, 25).Select(n => $"<@U{n:D6}>"));

        await Command(host, Alice, $"start purchase amount=5 item=\"{mentions}\"", "many");

        await _slack.WaitFor(s => Reply(s, "many") is not null, Patience, "the refusal");
        Assert.Equal("A command can name at most 20 people; this one names 25. Nothing was started or changed.", Reply(_slack, "many"));
        Assert.Equal(0, host.Store.CountInstances());
        Assert.All(_slack.CallsTo("users.info"), c => Assert.Equal(Alice, c.Arg("user")));
    }

    [Fact]
    public async Task A_person_is_looked_up_once_and_again_only_after_a_day()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
        await using var host = TestHost.Start(_slack, time: time);

        await Command(host, Alice, $"status <@{Bob}> <@UNOBODY>", "a");
        await _slack.WaitFor(s => Reply(s, "a") is not null, Patience, "the first answer");
        await Command(host, Alice, $"status <@{Bob}> <@UNOBODY>", "b");
        await _slack.WaitFor(s => Reply(s, "b") is not null, Patience, "the second answer");
        Assert.Single(_slack.CallsTo("users.info"), c => c.Arg("user") == Alice);
        Assert.Single(_slack.CallsTo("users.info"), c => c.Arg("user") == Bob);
        Assert.Single(_slack.CallsTo("users.info"), c => c.Arg("user") == "UNOBODY");

        // A day on, Slack is asked again: an email changed in Slack is picked up.
        time.Advance(TimeSpan.FromHours(25));
        _slack.AddUser(Alice, "alice.adams@example.com", "Alice Adams");
        await Command(host, Alice, "requests", "c");
        await _slack.WaitFor(s => Reply(s, "c") is not null, Patience, "the answer a day later");
        Assert.Equal(2, _slack.CallsTo("users.info").Count(c => c.Arg("user") == Alice));
        Assert.Equal("alice.adams@example.com", host.Store.EmailOfSlackUser(Alice)?.Email);
    }

    private Task<HttpResponseMessage> Command(TestHost host, string userId, string text, string replyId) =>
        host.PostSigned("/slack/commands", TestHost.Form(
            ("team_id", "T1"), ("channel_id", "C1"), ("user_id", userId), ("command", "/orchestrate"), ("text", text),
            ("response_url", _slack.ResponseUrl(replyId).ToString()), ("trigger_id", $"trig-{Guid.NewGuid():N}")),
            "application/x-www-form-urlencoded");

    private static string? Reply(SlackFake slack, string replyId) =>
        slack.CallsTo($"respond/{replyId}").Select(c => c.Arg("text")).FirstOrDefault();
}
