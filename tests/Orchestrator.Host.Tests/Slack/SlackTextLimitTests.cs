using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Core.Definitions;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Slack;

/// <summary>What people type is bounded where it enters and cut to Block Kit's limits where it is shown.</summary>
public sealed class SlackTextLimitTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);
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

    /// <summary>As long as Slack's own input allows, and full of what mrkdwn must escape (each &amp; is five characters sent).</summary>
    private static string Typed(int length, string unit = "Oak & walnut <desk> ")
    {
        var sb = new StringBuilder();
        while (sb.Length < length) sb.Append(unit);
        return sb.ToString(0, length).Trim() + "!";
    }

    [Fact]
    public async Task An_item_as_long_as_Slacks_own_input_allows_reaches_the_approver_on_a_card_Slack_accepts()
    {
        var item = Typed(2990);

        await _host.Command(_slack, Alice, $"start purchase amount=1500 item=\"{item}\"");

        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, Wait, "Bob's card");
        var card = _slack.Cards(Bob)[0];
        Assert.Empty(_slack.Refusals);
        Assert.Equal(["approve", "reject", "request_info"], card.Buttons().Select(b => (string)b["action_id"]!));
        var fields = card.Blocks!.OfType<JsonObject>().Where(b => b["fields"] is not null).SelectMany(b => b["fields"]!.AsArray()).Select(f => (string)f!["text"]!).ToList();
        var shown = Assert.Single(fields, f => f.StartsWith("*Item*", StringComparison.Ordinal));
        Assert.True(shown.Length <= 2000, $"the item field has {shown.Length} characters");
        Assert.EndsWith("… (all of it: `/orchestrate status purchase-1`)", shown);
        Assert.Equal(item, _host.Store.Get("purchase-1")!.Inputs["item"]);

        await _host.Command(_slack, Bob, "status purchase-1");
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("purchase-1 — Purchase request")), Wait, "status");
        Assert.Contains(item, _slack.Responses().Last(r => r.Contains("purchase-1 — Purchase request")));
    }

    [Fact]
    public async Task A_reason_of_2990_characters_closes_the_rejected_card_without_live_buttons()
    {
        await _host.Command(_slack, Alice, "start purchase amount=1500 item=Desk");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, Wait, "Bob's card");
        var value = _slack.Cards(Bob)[0].ButtonValue("reject");
        var reason = Typed(2990, "Too dear & <too> big ");

        var submitted = await _host.SubmitView(Bob, "reject_reason", value, Reason(reason));

        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0, Wait, "Bob's card updated");
        var card = _slack.Cards(Bob)[0];
        Assert.Empty(card.Buttons());
        Assert.Contains("Rejected by Bob Brown", Shown(card));
        Assert.Contains("… (all of it: `/orchestrate status purchase-1`)", Shown(card));
        Assert.Empty(_slack.Refusals);
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("rejected")), Wait, "Alice told");
        Assert.Equal(reason, _host.Store.Get("purchase-1")!.Steps[0].Assignments[0].Decision!.Comment);
    }

    [Fact]
    public async Task A_card_update_Slack_still_refuses_as_invalid_falls_back_to_a_minimal_card_without_buttons()
    {
        await _host.Command(_slack, Alice, "start purchase amount=200 item=Desk");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, Wait, "Bob's card");
        _slack.FailNext("chat.update", "invalid_blocks");

        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));

        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0, Wait, "Bob's card replaced");
        var card = _slack.Cards(Bob)[0];
        Assert.Empty(card.Buttons());
        Assert.Contains("Approved by Bob Brown", Shown(card));
        Assert.Contains("`/orchestrate status purchase-1` shows all of it", Shown(card));
        Assert.Equal(2, _slack.CallsTo("chat.update").Count);
    }

    [Fact]
    public async Task An_approval_card_Slack_refuses_as_invalid_is_posted_minimal_with_its_buttons()
    {
        _slack.FailNext("chat.postMessage", "invalid_blocks");

        await _host.Command(_slack, Alice, "start purchase amount=200 item=Desk");

        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, Wait, "Bob's minimal card");
        var card = _slack.Cards(Bob)[0];
        Assert.Equal(["approve", "reject", "request_info"], card.Buttons().Select(b => (string)b["action_id"]!));
        Assert.Contains("shows all of it", Shown(card));
    }

    [Fact]
    public async Task A_reason_over_the_limit_is_refused_in_the_modal_naming_it_and_nothing_changes()
    {
        await _host.Command(_slack, Alice, "start purchase amount=200 item=Desk");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, Wait, "Bob's card");
        var value = _slack.Cards(Bob)[0].ButtonValue("reject");

        var response = await _host.SubmitView(Bob, "reject_reason", value, Reason(new string('x', TextLimits.Comment + 1)));

        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("errors", (string?)answer["response_action"]);
        Assert.Equal("The reason is 3,001 characters long; the most is 3,000.", (string?)answer["errors"]!["reason"]);
        Assert.Equal("Open", _host.Store.Get("purchase-1")!.State.ToString());
    }

    [Fact]
    public async Task The_reason_and_start_forms_tell_Slack_the_most_one_may_type()
    {
        await _host.Command(_slack, Alice, "start purchase amount=200 item=Desk");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, Wait, "Bob's card");

        await _host.Click(_slack, Bob, "reject", _slack.Cards(Bob)[0].ButtonValue("reject"));
        await _host.Command(_slack, Alice, "start purchase");

        await _slack.WaitFor(s => s.CallsTo("views.open").Count == 2, Wait, "the reason modal and the start form");
        var inputs = _slack.CallsTo("views.open").SelectMany(c => c.Body["view"]!["blocks"]!.AsArray())
            .Select(b => b!["element"]).OfType<JsonObject>().Where(e => (string?)e["type"] == "plain_text_input").ToList();
        Assert.NotEmpty(inputs);
        Assert.All(inputs, e => Assert.Equal(3000, (int)e["max_length"]!));
    }

    [Fact]
    public async Task A_command_over_the_limit_is_refused_and_starts_nothing()
    {
        var response = await _host.Command(_slack, Alice, "start purchase amount=5 item=\"" + new string('x', TextLimits.Command) + "\"");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("characters long; the most is 12,000")), Wait, "the refusal");
        Assert.Equal(0, _host.Store.CountInstances());
    }

    [Fact]
    public async Task A_body_over_Slacks_limit_gets_413_saying_so_and_nothing_is_recorded()
    {
        var response = await _host.PostSigned("/slack/commands",
            TestHost.Form(("user_id", Alice), ("command", "/orchestrate"), ("text", new string('x', 600 * 1024)),
                ("response_url", _slack.ResponseUrl("big").ToString()), ("trigger_id", "trig-big")),
            "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal("The request body is larger than 512 KB, the most this endpoint takes. Nothing was recorded.", (string?)problem["detail"]);
        await _host.Command(_slack, Alice, "help");
        await _slack.WaitFor(s => s.Responses().Count == 1, Wait, "the help answer");
        Assert.Empty(_slack.CallsTo("respond/big"));
    }

    /// <summary>Every text of a message's blocks, as Slack draws them (not JSON-escaped).</summary>
    private static string Shown(SlackFakeMessage message) =>
        string.Join("\n", (message.Blocks ?? []).SelectMany(b => b!.AsObject().Descendants()));

    private static JsonObject Reason(string text) => new()
    {
        ["reason"] = new JsonObject { ["reason"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = text } },
    };
}

internal static class JsonTexts
{
    /// <summary>The string values of every "text" property under a node.</summary>
    public static IEnumerable<string> Descendants(this JsonObject node)
    {
        foreach (var (key, value) in node)
        {
            switch (value)
            {
                case JsonValue v when key == "text" && v.TryGetValue<string>(out var s):
                    yield return s;
                    break;
                case JsonObject o:
                    foreach (var t in o.Descendants()) yield return t;
                    break;
                case JsonArray a:
                    foreach (var t in a.OfType<JsonObject>().SelectMany(Descendants)) yield return t;
                    break;
            }
        }
    }
}
