using System.Net;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Slack;

/// <summary>
/// The host as its own process, killed with SIGKILL while Slack holds a post it already accepted, then started again
/// on the same file: what was pending is delivered, and nothing reaches Slack twice.
/// </summary>
public sealed class KillDuringDeliveryTests : IAsyncLifetime
{
    private readonly string _dbPath = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
    private SlackFake _slack = null!;

    public async Task InitializeAsync() => _slack = await StartSlack();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [Fact]
    public async Task A_host_killed_mid_post_delivers_every_pending_message_once_after_restart()
    {
        // Bob's card lands in Slack, but the host dies before it hears so.
        _slack.AnswerLate("chat.postMessage", TimeSpan.FromMinutes(2));
        await using (var first = await ChildHost.Start(_slack, _dbPath))
        {
            Assert.Equal(HttpStatusCode.OK, (await first.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"")).StatusCode);
            await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card accepted by Slack");
            await first.Kill();
        }

        await using (var second = await ChildHost.Start(_slack, _dbPath))
        {
            // The restarted host finds the card it posted before dying and keeps it: Bob's click closes that very card.
            await _slack.WaitFor(s => s.CallsTo("conversations.history").Any(c => c.Arg("channel") == s.DirectChannelOf(Bob)), what: "the earlier post looked up");
            Assert.Single(_slack.Cards(Bob));

            // This time the first finance card is held, with the rest of the request's messages queued behind it.
            _slack.AnswerLate("chat.postMessage", TimeSpan.FromMinutes(2));
            Assert.Equal(HttpStatusCode.OK, (await second.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"))).StatusCode);
            await _slack.WaitFor(s => s.Cards(Dave).Count + s.Cards(Erin).Count == 1, what: "a finance card accepted by Slack");
            await second.Kill();
        }

        await using var third = await ChildHost.Start(_slack, _dbPath);
        await _slack.WaitFor(s => s.Cards(Dave).Count == 1 && s.Cards(Erin).Count == 1 && s.Cards(Bob)[0].Updates > 0
            && s.Dm(Alice).Any(m => m.AllText().Contains("Bob Brown approved purchase-1")), what: "everything pending delivered after the second restart");

        await third.Click(_slack, Dave, "approve", _slack.Cards(Dave)[0].ButtonValue("approve"));
        await third.Click(_slack, Erin, "approve", _slack.Cards(Erin)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("purchase-1 (Purchase request) is approved")), what: "Alice told it is approved");
        await Task.Delay(300); // a doubled message would arrive within the outbox's sweep; give it the chance to show

        Assert.Single(_slack.Cards(Bob));
        Assert.Single(_slack.Cards(Dave));
        Assert.Single(_slack.Cards(Erin));
        Assert.Single(_slack.Dm(Alice), m => m.AllText().Contains("is approved"));
        var keys = _slack.Messages.Select(m => (string?)m.Metadata?["event_payload"]?["key"]).ToList();
        Assert.All(keys, k => Assert.NotNull(k));
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }
}
