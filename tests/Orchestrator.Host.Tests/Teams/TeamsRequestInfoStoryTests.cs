using System.Text.Json.Nodes;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.TeamsStory;

namespace Orchestrator.Host.Tests.Teams;

/// <summary>The info loop and back-to-requester rejections in Teams, through the real host and a loopback Bot Connector.</summary>
public sealed class TeamsRequestInfoStoryTests : IAsyncLifetime
{
    private const string CardType = "application/vnd.microsoft.card.adaptive";
    private const string MessageType = "application/vnd.microsoft.activity.message";

    private SlackFake _slack = null!;
    private BotConnectorFake _connector = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await SlackStory.StartSlack();
        _connector = await StartConnector();
        // Bob reads his cards in Teams; Alice has no preference, so she is reached where she last spoke: Teams.
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?>
        {
            ["Directory:Path"] = TeamsStory.Directory(("bob@example.com", "teams"), ("alice@example.com", null)),
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _connector.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private async Task<JsonObject> BobsCard(string command)
    {
        await _host.SendActivity(Install(_connector, Bob));
        await _host.SendActivity(Message(_connector, Alice, command));
        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card");
        return _connector.Cards(Bob.Chat)[0].Card!;
    }

    [Fact]
    public async Task The_approver_asks_on_the_card_the_requester_answers_on_hers_and_the_approver_decides_on_a_fresh_card()
    {
        var card = await BobsCard("start purchase amount=300 item=Chair");

        var form = await _host.Click(_connector, Bob, "request_info", card.ActionData("request_info"));
        Assert.Equal(CardType, (string?)form["type"]);
        var formCard = form["value"]!.AsObject();
        await CardSchema.AssertValid(formCard, "question form");
        Assert.Equal(["request_info", "refresh"], formCard.Actions().Select(a => (string)a["verb"]!));
        Assert.Contains("Question for Alice Adams", formCard.Text());

        var back = await _host.Click(_connector, Bob, "refresh", formCard.ActionData("refresh"));
        Assert.Equal(["approve", "reject", "request_info"], back["value"]!.AsObject().Actions().Select(a => (string)a["verb"]!));

        var data = formCard.ActionData("request_info");
        data["question"] = "  ";
        var blank = await _host.Click(_connector, Bob, "request_info", data);
        Assert.Contains("Write a question for Alice Adams; nothing was sent.", blank["value"]!.AsObject().Text());
        Assert.Empty(_host.Store.Get("purchase-1")!.Steps[0].Questions);

        data["question"] = "Which colour?";
        var waiting = await _host.Click(_connector, Bob, "request_info", data);
        var waitingCard = waiting["value"]!.AsObject();
        await CardSchema.AssertValid(waitingCard, "waiting card");
        Assert.Contains("Waiting for Alice Adams's answer", waitingCard.Text());
        Assert.Empty(waitingCard.Actions());

        await _connector.WaitFor(c => c.Cards(Alice.Chat).Count == 1, "Alice's question card");
        var question = _connector.Cards(Alice.Chat)[0].Card!;
        await CardSchema.AssertValid(question, "question card");
        Assert.Contains("Bob Brown asked: Which colour?", question.Text());
        var answer = question.ActionData("answer_info");

        answer["answer"] = "Pink";
        var byCarol = await _host.Click(_connector, Carol, "answer_info", answer);
        Assert.Equal(MessageType, (string?)byCarol["type"]);
        Assert.Contains("Only Alice Adams, who made the request, can answer this question", (string?)byCarol["value"]);

        answer["answer"] = "";
        var blankAnswer = await _host.Click(_connector, Alice, "answer_info", answer);
        Assert.Equal("Write an answer for Bob Brown; nothing was sent.", (string?)blankAnswer["value"]);
        Assert.Null(_host.Store.Get("purchase-1")!.Steps[0].Questions[0].Answer);

        answer["answer"] = "Black";
        var answered = await _host.Click(_connector, Alice, "answer_info", answer);
        var answeredCard = answered["value"]!.AsObject();
        await CardSchema.AssertValid(answeredCard, "answered question");
        Assert.Contains("Answered", answeredCard.Text());
        Assert.Empty(answeredCard.Actions());

        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 2, "Bob's fresh card");
        var fresh = _connector.Cards(Bob.Chat)[1].Card!;
        await CardSchema.AssertValid(fresh, "fresh card");
        Assert.Contains("Alice Adams answered: Black", fresh.Text());
        Assert.Equal(["approve", "reject", "request_info"], fresh.Actions().Select(a => (string)a["verb"]!));
        await _connector.WaitFor(c => c.Cards(Bob.Chat)[0].Card!.Text().Contains("posted again below"), "Bob's first card points at the fresh one");

        var approved = await _host.Click(_connector, Bob, "approve", fresh.ActionData("approve"));
        Assert.Contains("Approved by Bob Brown", approved["value"]!.AsObject().Text());
        await _connector.WaitFor(c => c.Activities(Alice.Chat).Any(a => a.Text?.Contains("purchase-1 (Purchase request) is approved") == true), "Alice told in Teams");
        var instance = _host.Store.Get("purchase-1")!;
        Assert.Equal(InstanceState.Completed, instance.State);
        Assert.Contains(instance.History, e => e.Kind == EventKind.InfoRequested && e.Via == "teams");
        Assert.Contains(instance.History, e => e.Kind == EventKind.InfoAnswered && e.Via == "teams");
    }

    [Fact]
    public async Task A_stranger_cannot_ask_or_see_the_card_and_a_forged_instance_id_is_refused()
    {
        var card = await BobsCard("start purchase amount=300 item=Chair");
        var data = card.ActionData("request_info");
        data["question"] = "Why?";

        var byCarol = await _host.Click(_connector, Carol, "request_info", data);
        var forged = await _host.Click(_connector, Bob, "request_info", new JsonObject { ["instanceId"] = "purchase-77", ["assignmentId"] = "manager.1", ["question"] = "?" });
        var noIds = await _host.Click(_connector, Bob, "answer_info", new JsonObject { ["answer"] = "hi" });
        var peek = await _host.Click(_connector, Carol, "refresh", card.ActionData("request_info"));

        Assert.Contains("only they can answer it", (string?)byCarol["value"]);
        Assert.Equal("There is no request purchase-77.", (string?)forged["value"]);
        Assert.Equal(400, (int)noIds["statusCode"]!);
        Assert.Equal(MessageType, (string?)peek["type"]);
        Assert.Contains("That card is not yours", (string?)peek["value"]);
        Assert.Empty(_host.Store.Get("purchase-1")!.Steps[0].Questions);
    }

    [Fact]
    public async Task A_rejected_request_comes_back_as_a_form_and_its_resubmission_shows_the_approver_what_changed()
    {
        var card = await BobsCard("start expense amount=1500 purpose=Offsite");
        var reject = card.ActionData("reject");
        reject["reason"] = "Too much";
        await _host.Click(_connector, Bob, "reject", reject);

        await _connector.WaitFor(c => c.Cards(Alice.Chat).Count == 1, "Alice's resubmit form");
        var form = _connector.Cards(Alice.Chat)[0].Card!;
        await CardSchema.AssertValid(form, "resubmit form");
        Assert.Equal(["resubmit", "withdraw"], form.Actions().Select(a => (string)a["verb"]!));
        Assert.Contains("Reason: Too much", form.Text());

        var data = form.ActionData("resubmit");
        data["amount"] = "lots";
        data["purpose"] = "Offsite";
        var bad = await _host.Click(_connector, Alice, "resubmit", data);
        Assert.Equal(MessageType, (string?)bad["type"]);
        Assert.Equal("amount must be a number, got 'lots'. Nothing was resubmitted.", (string?)bad["value"]);

        data["amount"] = "900";
        var resubmitted = await _host.Click(_connector, Alice, "resubmit", data);
        Assert.Contains("Resubmitted", resubmitted["value"]!.AsObject().Text());
        Assert.Empty(resubmitted["value"]!.AsObject().Actions());

        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 2, "Bob's card for the resubmission");
        var again = _connector.Cards(Bob.Chat)[1].Card!;
        await CardSchema.AssertValid(again, "card with changes");
        Assert.Contains("1500 → 900", again.Text());
        Assert.Equal("900", _host.Store.Get("expense-1")!.Inputs["amount"]);
    }

    [Fact]
    public async Task A_resubmission_from_someone_else_is_refused_before_any_of_its_fields_is_checked()
    {
        var card = await BobsCard("start expense amount=1500 purpose=Offsite");
        var reject = card.ActionData("reject");
        reject["reason"] = "Too much";
        await _host.Click(_connector, Bob, "reject", reject);
        await _connector.WaitFor(c => c.Cards(Alice.Chat).Count == 1, "Alice's resubmit form");
        var data = _connector.Cards(Alice.Chat)[0].Card!.ActionData("resubmit");
        data["amount"] = "lots";
        data["purpose"] = "";

        var refused = await _host.Click(_connector, Bob, "resubmit", data);

        Assert.Equal(MessageType, (string?)refused["type"]);
        Assert.Equal("Only Alice Adams, who made the request, can change and resubmit it. Nothing was changed.", (string?)refused["value"]);
        Assert.Equal("1500", _host.Store.Get("expense-1")!.Inputs["amount"]);
    }
}
