using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using Xunit.Abstractions;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Slack;

public sealed class PurchaseStoryTests(ITestOutputHelper output) : IAsyncLifetime
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
    public async Task Purchase_over_1000_goes_to_the_manager_then_to_both_finance_people_and_the_requester_hears_approved()
    {
        var watch = Stopwatch.StartNew();
        var ack = await _host.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"");
        output.WriteLine($"slash command acknowledged in {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("Started purchase-1")), what: "the start reply");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        var bobCard = _slack.Cards(Bob)[0];
        var text = bobCard.AllText();
        Assert.Contains("Standing desk", text);
        Assert.Contains("1500", text);
        Assert.Contains("Alice Adams", text);
        Assert.Equal(["approve", "reject", "request_info"], bobCard.Buttons().Select(b => (string)b["action_id"]!));
        Assert.Empty(_slack.Cards(Dave));

        watch.Restart();
        var click = await _host.Click(_slack, Bob, "approve", bobCard.ButtonValue("approve"));
        output.WriteLine($"approve click acknowledged in {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(HttpStatusCode.OK, click.StatusCode);

        await _slack.WaitFor(s => s.Cards(Dave).Count == 1 && s.Cards(Erin).Count == 1, what: "both finance cards");
        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0, what: "Bob's card replaced by its outcome");
        Assert.Empty(_slack.Cards(Bob)[0].Buttons());
        Assert.Contains("Approved by Bob Brown", _slack.Cards(Bob)[0].AllText());

        await _host.Click(_slack, Dave, "approve", _slack.Cards(Dave)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Cards(Erin)[0].AllText().Contains("1 of 2 approvals"), what: "Erin sees partial progress");
        Assert.NotEmpty(_slack.Cards(Erin)[0].Buttons());
        Assert.DoesNotContain(_slack.Dm(Alice), m => m.AllText().Contains("is approved"));

        await _host.Click(_slack, Erin, "approve", _slack.Cards(Erin)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("purchase-1 (Purchase request) is approved")), what: "Alice told approved");
        await _slack.WaitFor(s => s.Cards(Erin)[0].Updates > 0 && !s.Cards(Erin)[0].Buttons().Any(), what: "Erin's card closed");

        var status = await _host.Command(_slack, Alice, "status purchase-1");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("purchase-1 — Purchase request — completed")), what: "status");
        var statusText = _slack.Responses().Last(r => r.Contains("completed"));
        Assert.Contains("Bob Brown approved", statusText);
        Assert.Contains("Dave Diaz approved", statusText);
        Assert.Contains("Erin Evans approved", statusText);
        Assert.Contains("[card in Slack]", statusText);
    }

    [Fact]
    public async Task Purchase_under_1000_skips_finance()
    {
        await _host.Command(_slack, Alice, "start purchase amount=200 item=Keyboard");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("is approved")), what: "Alice told approved");
        Assert.Empty(_slack.Cards(Dave));
        Assert.Empty(_slack.Cards(Erin));
    }

    [Fact]
    public async Task Reject_asks_for_a_reason_and_the_reason_reaches_the_requester()
    {
        await _host.Command(_slack, Alice, "start purchase amount=1500 item=\"Gold chair\"");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        var value = _slack.Cards(Bob)[0].ButtonValue("reject");

        await _host.Click(_slack, Bob, "reject", value);
        await _slack.WaitFor(s => s.CallsTo("views.open").Count == 1, what: "the reason modal");
        var view = _slack.CallsTo("views.open")[0].Body["view"]!.AsObject();
        Assert.Equal("reject_reason", (string?)view["callback_id"]);
        Assert.Equal(value, (string?)view["private_metadata"]);

        var empty = await _host.SubmitView(Bob, "reject_reason", value, Reason("  "));
        var errors = JsonNode.Parse(await empty.Content.ReadAsStringAsync())!;
        Assert.Equal("errors", (string?)errors["response_action"]);
        Assert.NotNull(errors["errors"]!["reason"]);
        Assert.Equal("open", (string?)_host.Store.Get("purchase-1")!.State.ToString().ToLowerInvariant());

        var submitted = await _host.SubmitView(Bob, "reject_reason", value, Reason("Too expensive, pick the oak one"));
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("rejected") && m.AllText().Contains("Too expensive, pick the oak one")), what: "Alice told the reason");
        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0, what: "Bob's card updated");
        Assert.Empty(_slack.Cards(Bob)[0].Buttons());
        Assert.Contains("Too expensive", _slack.Cards(Bob)[0].AllText());
        Assert.Empty(_slack.Cards(Dave));
    }

    private static JsonObject Reason(string text) => new()
    {
        ["reason"] = new JsonObject { ["reason"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = text } },
    };
}
