using System.Text;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using Orchestrator.Host.Webhooks;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Webhooks;

public sealed class WebhookTests : IAsyncLifetime
{
    private const string Secret = "webhook-test-secret";

    private SlackFake _slack = null!;
    private WebhookReceiver _receiver = null!;
    private TestHost _host = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _receiver = await WebhookReceiver.StartNew();
    }

    private void StartHost(string timeout = "00:00:05")
    {
        var hooked = $"""
            id: hooked
            name: Hooked purchase
            inputs:
              - {"{"} id: amount, label: Amount, type: number, required: true {"}"}
              - {"{"} id: item, label: Item, type: text, required: true {"}"}
            steps:
              - id: manager
                title: "Purchase of {"{{"}item{"}}"}"
                assignees: manager
            webhook: {_receiver.Url}
            """;
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?>
        {
            ["Workflows:Path"] = TestWorkflows.Folder(hooked),
            ["Webhooks:SigningSecret"] = Secret,
            ["Webhooks:Timeout"] = timeout,
        });
        _key = _host.CreateKey();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        await _receiver.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task The_receiver_gets_every_change_in_order_signed_with_the_secret()
    {
        StartHost();
        var id = await _host.StartPurchase(_key, 300, "Desk", externalRef: "JIRA-7", workflow: "hooked");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));

        await _receiver.WaitFor(r => r.Accepted.Any(d => (string?)d.Json["event"] == "completed"), "the completed event");
        // A card's delivery may still be recorded (an event too) after the instance completed: wait until nothing is left to send.
        await _receiver.WaitFor(_ => _host.Store.AllOutbox().All(o => o.State == Orchestrator.Host.Storage.OutboxState.Delivered)
            && _receiver.Accepted.Count == _host.Store.Get(id)!.History.Count, "one delivery per history event, nothing left to send");

        var deliveries = _receiver.Accepted;
        Assert.All(deliveries, d => Assert.True(WebhookSignature.Verify(Secret, d.Body, d.Signature), $"bad signature on {Encoding.UTF8.GetString(d.Body)}"));
        Assert.All(deliveries, d => Assert.Equal("application/json", d.ContentType?.Split(';')[0]));
        Assert.Equal(Enumerable.Range(0, deliveries.Count), deliveries.Select(d => (int)d.Json["sequence"]!));
        Assert.Equal(deliveries.Select(d => (string?)d.Json["id"]), deliveries.Select(d => d.DeliveryId));
        var events = deliveries.Select(d => (string)d.Json["event"]!).ToList();
        Assert.Equal(["started", "step_activated"], events.Take(2));
        Assert.Contains("decided", events);
        Assert.True(events.IndexOf("decided") < events.IndexOf("completed"), string.Join(", ", events));
        Assert.All(deliveries, d =>
        {
            Assert.Equal(id, (string?)d.Json["instance"]);
            Assert.Equal("hooked", (string?)d.Json["workflow"]);
            Assert.Equal("JIRA-7", (string?)d.Json["external_ref"]);
        });
        var decided = deliveries.Single(d => (string?)d.Json["event"] == "decided").Json;
        Assert.Equal("bob@example.com", (string?)decided["actor"]);
        Assert.Equal("manager", (string?)decided["step"]);
        Assert.Equal("completed", (string?)decided["state"]);
        Assert.NotNull((string?)decided["at"]);
        Assert.False(WebhookSignature.Verify("another-secret", deliveries[0].Body, deliveries[0].Signature));
    }

    [Fact]
    public async Task A_receiver_that_fails_a_few_times_still_gets_everything_exactly_once()
    {
        StartHost();
        _receiver.FailNext(3);
        var id = await _host.StartPurchase(_key, 300, "Desk", workflow: "hooked");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));

        await _receiver.WaitFor(r => r.Accepted.Any(d => (string?)d.Json["event"] == "completed"), "the completed event");
        // A card's delivery may still be recorded (an event too) after the instance completed: wait until nothing is left to send.
        await _receiver.WaitFor(_ => _host.Store.AllOutbox().All(o => o.State == Orchestrator.Host.Storage.OutboxState.Delivered), "nothing left to send");
        var count = _host.Store.Get(id)!.History.Count;
        await _receiver.WaitFor(r => r.Accepted.Count >= count, "every event");
        await Task.Delay(500);

        Assert.Equal(3, _receiver.All.Count(d => d.Answered == 500));
        var accepted = _receiver.Accepted;
        Assert.Equal(count, accepted.Count);
        Assert.Equal(Enumerable.Range(0, count), accepted.Select(d => (int)d.Json["sequence"]!));
    }

    [Fact]
    public async Task A_receiver_that_times_out_never_holds_up_the_workflow_or_its_cards()
    {
        StartHost(timeout: "00:00:03");
        _receiver.Stall(TimeSpan.FromSeconds(30));

        var id = await _host.StartPurchase(_key, 300, "Desk", workflow: "hooked");
        // Quicker than one webhook timeout: webhooks are delivered on a lane of their own.
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, TimeSpan.FromSeconds(2.5), "Bob's card, while the webhook hangs");
        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("is approved")), what: "Alice told approved");

        Assert.Equal("Completed", _host.Store.Get(id)!.State.ToString());
        Assert.Empty(_receiver.Accepted);
        await _receiver.WaitFor(_ => _host.Store.AllOutbox().Any(o => o.Kind == "webhook" && o.Error?.Contains("did not answer within 3s", StringComparison.Ordinal) == true),
            "the timeout recorded as the reason for a retry");

        _receiver.Stall(TimeSpan.Zero);
        await _receiver.WaitFor(r => r.Accepted.Any(d => (string?)d.Json["event"] == "completed"), "the backlog once the receiver recovers", TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void The_host_refuses_to_start_when_a_definition_has_a_webhook_and_no_secret_is_set()
    {
        var folder = TestWorkflows.Folder($"id: hooked\nname: Hooked\nsteps:\n  - {{ id: a, title: T, assignees: manager }}\nwebhook: {_receiver.Url}\n");
        var failure = Assert.ThrowsAny<Exception>(() => TestHost.Start(_slack, settings: new Dictionary<string, string?> { ["Workflows:Path"] = folder }));

        Assert.Contains("Webhooks:SigningSecret is not set, but hooked sends webhooks", failure.ToString());
    }
}
