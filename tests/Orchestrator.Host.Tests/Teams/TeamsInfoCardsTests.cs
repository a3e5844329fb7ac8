using System.Text.Json.Nodes;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Teams;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Teams;

public sealed class TeamsInfoCardsTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static readonly IReadOnlyList<InputDefinition> Inputs =
    [
        new() { Id = "amount", Label = "Amount (EUR)", Type = InputType.Number, Required = true },
        new() { Id = "item", Label = "Item", Type = InputType.Text, Required = true },
        new() { Id = "when", Label = "When", Type = InputType.Date },
        new() { Id = "size", Label = "Size", Type = InputType.Choice, Options = ["s", "m", "l"] },
    ];

    private static CardModel Card(CardKind kind, CardStatus status = CardStatus.Open, string? outcome = null) => new()
    {
        InstanceId = "purchase-3",
        AssignmentId = kind switch { CardKind.Question => "manager.q1", CardKind.Resubmit => "manager.r1", _ => "manager.1" },
        StepId = "manager",
        Kind = kind,
        Title = "Purchase of Standing desk for 1500 EUR",
        WorkflowName = "Purchase request",
        RequestedBy = "Alice Adams",
        Fields = [new CardField("Amount (EUR)", "1500"), new CardField("Item", "Standing desk")],
        DueAt = kind == CardKind.Approval ? new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero) : null,
        Status = status,
        Outcome = outcome,
        Reason = kind == CardKind.Resubmit ? "Too expensive" : null,
        Exchanges = kind == CardKind.Question
            ? [new CardExchange("Bob Brown", "Which colour?")]
            : [new CardExchange("Bob Brown", "Which colour?", "Alice Adams", "Black")],
        Changes = kind == CardKind.Approval ? [new CardChange("Amount (EUR)", "1500", "900")] : [],
        Form = kind == CardKind.Resubmit && status == CardStatus.Open
            ? new CardForm(Inputs, new Dictionary<string, string> { ["amount"] = "1500", ["item"] = "Standing desk", ["size"] = "m" })
            : null,
    };

    private static Dictionary<string, AdaptiveCard> Cards() => new()
    {
        ["approval with an exchange and changes"] = TeamsCards.Render(Card(CardKind.Approval), Berlin),
        ["approval waiting for an answer"] = TeamsCards.Render(Card(CardKind.Approval, CardStatus.Waiting, "Waiting for Alice Adams's answer"), Berlin),
        ["question form"] = TeamsInfoCards.QuestionForm(Card(CardKind.Approval)),
        ["question form with a problem"] = TeamsInfoCards.QuestionForm(Card(CardKind.Approval), "Write a question for Alice Adams; nothing was sent."),
        ["open question"] = TeamsCards.Render(Card(CardKind.Question), Berlin),
        ["answered question"] = TeamsCards.Render(Card(CardKind.Question, CardStatus.Done, "Answered"), Berlin),
        ["question no longer needed"] = TeamsCards.Render(Card(CardKind.Question, CardStatus.Closed, "No longer needed"), Berlin, "Already answered"),
        ["open resubmit form"] = TeamsCards.Render(Card(CardKind.Resubmit), Berlin),
        ["resubmitted"] = TeamsCards.Render(Card(CardKind.Resubmit, CardStatus.Done, "Resubmitted"), Berlin),
        ["withdrawn"] = TeamsCards.Render(Card(CardKind.Resubmit, CardStatus.Closed, "Cancelled by Alice Adams"), Berlin),
    };

    public static TheoryData<string> EveryCard => new(Cards().Keys);

    [Theory]
    [MemberData(nameof(EveryCard))]
    public async Task Every_card_passes_the_Adaptive_Card_1_5_schema(string name) =>
        await CardSchema.AssertValid(Cards()[name].ToJsonObject(), name);

    [Fact]
    public void The_question_form_sends_the_question_with_request_info_and_can_go_back()
    {
        var card = TeamsInfoCards.QuestionForm(Card(CardKind.Approval)).ToJsonObject();

        var input = card["body"]!.AsArray().Single(e => (string?)e!["id"] == "question")!;
        Assert.Equal(("Input.Text", true), ((string?)input["type"], (bool)input["isRequired"]!));
        Assert.Equal("Question for Alice Adams", (string?)input["label"]);
        var actions = card.Actions();
        Assert.Equal(["request_info", "refresh"], actions.Select(a => (string)a["verb"]!));
        Assert.Equal(["auto", "none"], actions.Select(a => (string)a["associatedInputs"]!));
        Assert.All(actions, a => Assert.Equal("{\"instanceId\":\"purchase-3\",\"assignmentId\":\"manager.1\"}", a["data"]!.ToJsonString()));
    }

    [Fact]
    public void An_open_question_has_an_answer_input_and_one_action()
    {
        var card = TeamsCards.Render(Card(CardKind.Question), Berlin).ToJsonObject();

        Assert.Contains("Bob Brown asked: Which colour?", card.ToJsonString());
        Assert.Contains(card["body"]!.AsArray(), e => (string?)e!["id"] == "answer" && (bool)e["isRequired"]!);
        var action = Assert.Single(card.Actions());
        Assert.Equal(("answer_info", "auto"), ((string?)action["verb"], (string?)action["associatedInputs"]));
        Assert.Equal("manager.q1", (string?)action["data"]!["assignmentId"]);
    }

    [Fact]
    public void An_open_resubmit_card_is_a_form_prefilled_with_the_current_inputs()
    {
        var card = TeamsCards.Render(Card(CardKind.Resubmit), Berlin).ToJsonObject();

        var body = card["body"]!.AsArray().OfType<JsonObject>().ToList();
        Assert.Equal(1500, (double)body.Single(e => (string?)e["id"] == "amount")["value"]!);
        Assert.Equal("Standing desk", (string?)body.Single(e => (string?)e["id"] == "item")["value"]);
        Assert.Equal("m", (string?)body.Single(e => (string?)e["id"] == "size")["value"]);
        Assert.Contains("Reason: Too expensive", card.ToJsonString());
        Assert.Equal(["resubmit", "withdraw"], card.Actions().Select(a => (string)a["verb"]!));
        Assert.Equal(["auto", "none"], card.Actions().Select(a => (string)a["associatedInputs"]!));
    }

    [Fact]
    public void An_approval_card_shows_what_changed_and_the_exchange_and_a_waiting_one_has_no_actions()
    {
        var open = TeamsCards.Render(Card(CardKind.Approval), Berlin).ToJsonObject().Text();
        var waiting = TeamsCards.Render(Card(CardKind.Approval, CardStatus.Waiting, "Waiting for Alice Adams's answer"), Berlin).ToJsonObject();

        Assert.Contains("1500 → 900", open);
        Assert.Contains("Alice Adams answered: Black", open);
        Assert.Null(waiting["actions"]);
        Assert.Contains("⏳ Waiting for Alice Adams's answer", waiting.Text());
    }
}
