using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Slack;

/// <summary>The info loop and back-to-requester rejections through the real host, as Slack users see them.</summary>
public sealed class RequestInfoStoryTests : IAsyncLifetime
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

    private static JsonObject Text(string block, string? text) => new()
    {
        [block] = new JsonObject { [block] = new JsonObject { ["type"] = "plain_text_input", ["value"] = text } },
    };

    private async Task<SlackFakeMessage> BobsCard(string command = "start purchase amount=300 item=Chair")
    {
        await _host.Command(_slack, Alice, command);
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        return _slack.Cards(Bob)[0];
    }

    private async Task<JsonObject> OpenedView(int count, string callbackId)
    {
        await _slack.WaitFor(s => s.CallsTo("views.open").Count == count, what: $"modal {count}");
        var view = _slack.CallsTo("views.open")[count - 1].Body["view"]!.AsObject();
        Assert.Equal(callbackId, (string?)view["callback_id"]);
        return view;
    }

    [Fact]
    public async Task The_approver_asks_the_requester_answers_and_the_approver_decides_on_a_fresh_card_with_the_exchange()
    {
        var card = await BobsCard();
        var value = card.ButtonValue("request_info");

        await _host.Click(_slack, Bob, "request_info", value);
        var ask = await OpenedView(1, "info_question");
        Assert.Equal(value, (string?)ask["private_metadata"]);
        Assert.Contains("Alice Adams", ask.ToJsonString());

        var blank = await _host.SubmitView(Bob, "info_question", value, Text("question", "   "));
        var errors = JsonNode.Parse(await blank.Content.ReadAsStringAsync())!;
        Assert.Equal("errors", (string?)errors["response_action"]);
        Assert.Equal("Write a question for the requester.", (string?)errors["errors"]!["question"]);
        Assert.Empty(_host.Store.Get("purchase-1")!.Steps[0].Questions);

        var sent = await _host.SubmitView(Bob, "info_question", value, Text("question", "Which colour, and does it need assembly?"));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        await _slack.WaitFor(s => s.Cards(Alice).Any(m => m.Buttons().Any(b => (string?)b["action_id"] == "answer_info")), what: "Alice's question card");
        var question = _slack.Cards(Alice).Single(m => m.Buttons().Any());
        Assert.Contains("Bob Brown asks about Purchase of Chair for 300 EUR", question.AllText());
        Assert.Contains("Which colour, and does it need assembly?", question.AllText());
        await _slack.WaitFor(s => s.Cards(Bob)[0].AllText().Contains("Waiting for Alice Adams's answer"), what: "Bob's card waits");
        Assert.Empty(_slack.Cards(Bob)[0].Buttons());

        await _host.Command(_slack, Bob, "status purchase-1");
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("held by Alice Adams") && r.Contains("answering a question from Bob Brown")), what: "status names Alice");
        await _host.Command(_slack, Alice, "mine");
        await _slack.WaitFor(s => s.Responses().Any(r => r.StartsWith("Waiting for you (1):", StringComparison.Ordinal) && r.Contains("purchase-1")), what: "mine lists it for Alice");

        // A stranger's click opens nothing; a forged submission by them changes nothing.
        var answerValue = question.ButtonValue("answer_info");
        await _host.Click(_slack, Mallory, "answer_info", answerValue);
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("Only Alice Adams, who made the request, can answer this question")), what: "Mallory refused");
        await _host.SubmitView(Mallory, "info_answer", answerValue, Text("answer", "Pink, flat-packed"));
        await _slack.WaitFor(s => s.Dm(Mallory).Any(m => m.AllText().Contains("Only Alice Adams")), what: "Mallory told why");
        Assert.Single(_slack.CallsTo("views.open"));

        await _host.Click(_slack, Alice, "answer_info", answerValue);
        var answerView = await OpenedView(2, "info_answer");
        Assert.Contains("Which colour, and does it need assembly?", answerView.ToJsonString());
        var blankAnswer = await _host.SubmitView(Alice, "info_answer", answerValue, Text("answer", ""));
        Assert.Equal("Write an answer.", (string?)JsonNode.Parse(await blankAnswer.Content.ReadAsStringAsync())!["errors"]!["answer"]);
        Assert.Null(_host.Store.Get("purchase-1")!.Steps[0].Questions[0].Answer);

        await _host.SubmitView(Alice, "info_answer", answerValue, Text("answer", "Black; it comes assembled"));
        await _slack.WaitFor(s => s.Cards(Bob).Count == 2, what: "Bob's fresh card");
        var fresh = _slack.Cards(Bob)[1];
        Assert.Equal(["approve", "reject", "request_info"], fresh.Buttons().Select(b => (string)b["action_id"]!));
        Assert.Contains("Bob Brown asked", fresh.AllText());
        Assert.Contains("Alice Adams answered", fresh.AllText());
        Assert.Contains("Black; it comes assembled", fresh.AllText());
        await _slack.WaitFor(s => s.Cards(Bob)[0].AllText().Contains("posted again below"), what: "Bob's old card points at the new one");
        await _slack.WaitFor(s => s.Cards(Alice).Any(m => m.AllText().Contains("Answered") && !m.Buttons().Any()), what: "Alice's card answered");

        await _host.Click(_slack, Bob, "approve", fresh.ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("purchase-1 (Purchase request) is approved")), what: "Alice told approved");
        var instance = _host.Store.Get("purchase-1")!;
        Assert.Equal(InstanceState.Completed, instance.State);
        Assert.Contains(instance.History, e => e.Kind == EventKind.InfoRequested && e.Via == "slack");
        Assert.Contains(instance.History, e => e.Kind == EventKind.InfoAnswered && e.Via == "slack");
    }

    [Fact]
    public async Task A_second_request_info_click_on_the_waiting_card_opens_nothing_and_says_why()
    {
        var card = await BobsCard();
        var value = card.ButtonValue("request_info");
        await _host.SubmitView(Bob, "info_question", value, Text("question", "Which colour?"));
        await _slack.WaitFor(s => s.Cards(Alice).Any(m => m.Buttons().Any()), what: "Alice's question card");

        await _host.Click(_slack, Bob, "request_info", value);
        await _host.Click(_slack, Bob, "approve", value);

        await _slack.WaitFor(s => s.Responses().Count(r => r.Contains("You asked Alice Adams for more information")) == 2, what: "both clicks refused");
        Assert.Empty(_slack.CallsTo("views.open"));
        Assert.Single(_host.Store.Get("purchase-1")!.Steps[0].Questions);
        Assert.Null(_host.Store.Get("purchase-1")!.Steps[0].Assignments[0].Decision);
    }

    [Fact]
    public async Task A_rejection_on_a_back_to_requester_step_lets_the_requester_change_the_inputs_and_resubmit()
    {
        var card = await BobsCard("start expense amount=1500 purpose=Offsite");
        var reject = card.ButtonValue("reject");
        await _host.SubmitView(Bob, "reject_reason", reject, Text("reason", "Too much for one offsite"));

        await _slack.WaitFor(s => s.Cards(Alice).Any(m => m.Buttons().Any(b => (string?)b["action_id"] == "resubmit")), what: "Alice's resubmit card");
        var back = _slack.Cards(Alice).Single(m => m.Buttons().Any());
        Assert.Equal(["resubmit", "withdraw"], back.Buttons().Select(b => (string)b["action_id"]!));
        Assert.Contains("Too much for one offsite", back.AllText());
        Assert.Equal(InstanceState.Open, _host.Store.Get("expense-1")!.State);
        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0 && !s.Cards(Bob)[0].Buttons().Any(), what: "Bob's card closed");

        var value = back.ButtonValue("resubmit");
        await _host.Click(_slack, Bob, "resubmit", value);
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("Only Alice Adams, who made the request, can change and resubmit it")), what: "Bob refused");
        await _host.Click(_slack, Alice, "resubmit", value);
        var form = await OpenedView(1, "resubmit_form");
        var amount = form["blocks"]!.AsArray().Single(b => (string?)b!["block_id"] == "amount")!;
        Assert.Equal("1500", (string?)amount["element"]!["initial_value"]);

        var bad = await _host.SubmitView(Alice, "resubmit_form", value, Inputs(("amount", "lots"), ("purpose", "Offsite")));
        Assert.Equal("amount must be a number, got 'lots'", (string?)JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["errors"]!["amount"]);
        var missing = await _host.SubmitView(Alice, "resubmit_form", value, Inputs(("amount", "900"), ("purpose", "")));
        Assert.Equal("Purpose is required.", (string?)JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["errors"]!["purpose"]);
        Assert.Equal("1500", _host.Store.Get("expense-1")!.Inputs["amount"]);

        await _host.SubmitView(Alice, "resubmit_form", value, Inputs(("amount", "900"), ("purpose", "Offsite")));
        await _slack.WaitFor(s => s.Cards(Bob).Count == 2, what: "Bob's card for the resubmission");
        var again = _slack.Cards(Bob)[1];
        Assert.Contains("Amount (EUR): 1500 → 900", Readable(again));
        Assert.Equal(["approve", "reject", "request_info"], again.Buttons().Select(b => (string)b["action_id"]!));
        await _slack.WaitFor(s => s.Cards(Alice).Any(m => m.AllText().Contains("Resubmitted")), what: "Alice's card says resubmitted");

        await _host.Click(_slack, Bob, "approve", again.ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("expense-1 (Expense approval) is approved")), what: "Alice told approved");
        Assert.Empty(_slack.Cards(Dave));
    }

    [Fact]
    public async Task A_resubmission_form_from_someone_else_is_refused_before_any_of_its_fields_is_checked()
    {
        var card = await BobsCard("start expense amount=1500 purpose=Offsite");
        await _host.SubmitView(Bob, "reject_reason", card.ButtonValue("reject"), Text("reason", "Too much for one offsite"));
        await _slack.WaitFor(s => s.Cards(Alice).Any(m => m.Buttons().Any(b => (string?)b["action_id"] == "resubmit")), what: "Alice's resubmit card");
        var value = _slack.Cards(Alice).Single(m => m.Buttons().Any()).ButtonValue("resubmit");
        // A delivery is recorded on the instance just after Slack took it; wait, so the revision read here is stable.
        await _slack.WaitFor(_ => _host.Store.AllOutbox().All(o => o.State == Orchestrator.Host.Storage.OutboxState.Delivered), what: "every delivery recorded");
        var revision = _host.Store.Get("expense-1")!.Revision;

        // Bob is known here (he rejected it): the modal is answered with the refusal alone.
        var response = await _host.SubmitView(Bob, "resubmit_form", value, Inputs(("amount", "lots"), ("purpose", "")));
        // Carol never spoke to the bot: she is refused after the acknowledgement, in a DM, again with nothing of the fields.
        var unknown = await _host.SubmitView(Carol, "resubmit_form", value, Inputs(("amount", "lots"), ("purpose", "")));

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("errors", (string?)body["response_action"]);
        var error = Assert.Single(body["errors"]!.AsObject());
        Assert.Equal("Only Alice Adams, who made the request, can change and resubmit it. Nothing was changed.", (string?)error.Value);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        await _slack.WaitFor(s => s.Dm(Carol).Any(m => m.AllText().Contains("Only Alice Adams, who made the request")), what: "Carol refused");
        var told = string.Join("\n", _slack.Dm(Carol).Select(m => m.AllText()));
        Assert.DoesNotContain("number", told);
        Assert.DoesNotContain("Purpose", told);
        Assert.Equal(revision, _host.Store.Get("expense-1")!.Revision);
        Assert.Equal("1500", _host.Store.Get("expense-1")!.Inputs["amount"]);
    }

    [Fact]
    public async Task Withdrawing_a_rejected_request_cancels_it()
    {
        var card = await BobsCard("start expense amount=50 purpose=Lunch");
        await _host.SubmitView(Bob, "reject_reason", card.ButtonValue("reject"), Text("reason", "Not a business lunch"));
        await _slack.WaitFor(s => s.Cards(Alice).Any(m => m.Buttons().Any()), what: "Alice's resubmit card");

        await _host.Click(_slack, Alice, "withdraw", _slack.Cards(Alice).Single(m => m.Buttons().Any()).ButtonValue("withdraw"));

        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("Cancelled expense-1")), what: "withdrawn");
        await _slack.WaitFor(s => s.Cards(Alice).Any(m => m.AllText().Contains("withdrawn after the rejection") && !m.Buttons().Any()), what: "Alice's card closed");
        Assert.Equal(InstanceState.Cancelled, _host.Store.Get("expense-1")!.State);
    }

    [Theory]
    [InlineData("request_info", "purchase-999|manager.1", "There is no request purchase-999.")]
    [InlineData("answer_info", "purchase-999|manager.q1", "There is no request purchase-999.")]
    [InlineData("answer_info", "purchase-1|manager.q7", "That question does not belong to purchase-1. Nothing was changed.")]
    [InlineData("resubmit", "purchase-1|manager.r1", "That card does not belong to purchase-1. Nothing was changed.")]
    [InlineData("withdraw", "nope-1|manager.r1", "There is no request nope-1.")]
    public async Task A_button_naming_an_unknown_request_or_card_opens_nothing_and_says_so(string actionId, string value, string expected)
    {
        await BobsCard();

        await _host.Click(_slack, Alice, actionId, value);

        await _slack.WaitFor(s => s.Responses().Contains(expected), what: expected);
        Assert.Empty(_slack.CallsTo("views.open"));
        Assert.Equal(InstanceState.Open, _host.Store.Get("purchase-1")!.State);
    }

    [Theory]
    [InlineData("info_question", "not-a-card", "question")]
    [InlineData("info_answer", "", "answer")]
    [InlineData("resubmit_form", "purchase-999|manager.r1", "amount")]
    public async Task A_modal_that_lost_its_request_is_answered_with_an_error_in_the_modal(string callbackId, string metadata, string block)
    {
        var values = callbackId == "resubmit_form" ? Inputs(("amount", "5"), ("item", "x")) : Text(block, "something");

        var response = await _host.SubmitView(Alice, callbackId, metadata, values);

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("errors", (string?)body["response_action"]);
        Assert.NotNull(body["errors"]![block]);
        Assert.Equal(0, _host.Store.CountInbound());
    }

    [Fact]
    public async Task A_submitted_answer_naming_an_unknown_request_changes_nothing_and_says_so()
    {
        await _host.SubmitView(Alice, "info_answer", "purchase-404|manager.q1", Text("answer", "hello"));

        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("There is no request purchase-404.")), what: "Alice told");
        Assert.Null(_host.Store.Get("purchase-404"));
    }

    /// <summary>A message's text and blocks with non-ASCII characters (→, “) as a reader sees them.</summary>
    private static string Readable(SlackFakeMessage message) =>
        (message.Text ?? "") + "\n" + message.Blocks?.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static JsonObject Inputs(params (string Id, string Value)[] inputs)
    {
        var values = new JsonObject();
        foreach (var (id, value) in inputs)
            values[id] = new JsonObject { [id] = new JsonObject { ["type"] = "plain_text_input", ["value"] = value } };
        return values;
    }
}
