using System.Text.Json;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Slack;

/// <summary>One person's long delivery backlog, kept to Slack's per-channel pace, against everyone else's messages.</summary>
public sealed class DeliveryBacklogTests : IAsyncLifetime
{
    // More than the 1,000 pending messages the dispatcher once looked at; at this pace they take ten minutes to drain.
    private const int Backlog = 1_200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private SlackFake _slack = null!;

    public async Task InitializeAsync() => _slack = await StartSlack();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [Fact]
    public async Task A_backlog_for_one_person_holds_up_neither_another_persons_card_nor_a_command_reply()
    {
        await using var host = TestHost.Start(_slack, settings: new Dictionary<string, string?> { ["Delivery:ChannelPace"] = "00:00:00.500" });
        host.Store.Batch(() =>
        {
            for (var n = 0; n < Backlog; n++)
                host.Store.Enqueue(OutboxKinds.Effect, $"backlog:{n}", null, "frank@example.com", JsonSerializer.Serialize<Effect>(
                    new NotifyPerson { Recipient = "frank@example.com", InstanceId = "", Text = $"Backlog note {n}" }, StoreJson.Options));
        });
        await _slack.WaitFor(s => s.Dm(Frank).Count >= 2, Patience, "Frank's backlog under way");

        await host.PostSigned("/slack/commands", TestHost.Form(
            ("team_id", "T1"), ("channel_id", "C1"), ("user_id", Alice), ("command", "/orchestrate"), ("text", "start purchase amount=5 item=Pen"),
            ("response_url", _slack.ResponseUrl("alice").ToString()), ("trigger_id", $"trig-{Guid.NewGuid():N}")), "application/x-www-form-urlencoded");

        await _slack.WaitFor(s => s.Cards(Bob).Count == 1 && s.CallsTo("respond/alice").Count == 1, Patience, "Bob's card and Alice's reply");
        Assert.Contains("purchase-1", _slack.CallsTo("respond/alice")[0].Arg("text"));

        // Both came while Frank's backlog was still at its front, not after the part that once hid them went out.
        var franks = _slack.Dm(Frank);
        Assert.True(franks.Count < Backlog - 1_000, $"{franks.Count} of Frank's messages went before Bob's card and Alice's reply");
        Assert.Equal(Enumerable.Range(0, franks.Count).Select(n => $"Backlog note {n}"), franks.Select(m => m.Text));

        // Each person's DM is opened once, not once per message or per pass.
        Assert.Single(_slack.CallsTo("conversations.open"), c => c.Arg("users") == Frank);
        Assert.Single(_slack.CallsTo("conversations.open"), c => c.Arg("users") == Bob);
    }

    [Fact]
    public async Task A_persons_DM_channel_is_opened_once_and_remembered_across_a_restart()
    {
        var dbPath = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
        await using (var first = TestHost.Start(_slack, dbPath))
        {
            await first.Command(_slack, Alice, "start purchase amount=5 item=Pen");
            await _slack.WaitFor(s => s.Cards(Bob).Count == 1, Patience, "Bob's first card");
        }
        await using var second = TestHost.Start(_slack, dbPath);
        await second.Command(_slack, Alice, "start purchase amount=6 item=Pencil");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 2, Patience, "Bob's second card");

        Assert.Single(_slack.CallsTo("conversations.open"), c => c.Arg("users") == Bob);
    }
}
