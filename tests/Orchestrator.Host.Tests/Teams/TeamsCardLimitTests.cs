using System.Text;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Teams;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Teams;

/// <summary>Cards carrying the longest text the engine accepts stay valid and well under Teams' ~28 KB message limit.</summary>
public sealed class TeamsCardLimitTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    /// <summary>Three bytes a character in UTF-8, the worst a card's size can grow by per character typed.</summary>
    private static readonly string Longest = new('漢', TextLimits.Input);

    private static CardModel Card(CardKind kind, CardStatus status) => new()
    {
        InstanceId = "purchase-3",
        AssignmentId = "manager.1",
        StepId = "manager",
        Kind = kind,
        Title = Longest[..TextLimits.Title],
        WorkflowName = "Purchase request",
        RequestedBy = "Alice Adams",
        Fields = Enumerable.Range(1, 5).Select(i => new CardField($"Field {i}", Longest)).ToList(),
        Status = status,
        Outcome = status == CardStatus.Open ? null : "Cancelled by Alice Adams: " + Longest,
        Reason = Longest,
        Exchanges = Enumerable.Range(1, 6).Select(i => new CardExchange("Bob Brown", Longest, "Alice Adams", Longest)).ToList(),
        Changes = [new CardChange("Item", Longest, Longest)],
        Form = kind == CardKind.Resubmit
            ? new CardForm([new InputDefinition { Id = "item", Label = "Item", Type = InputType.Text }], new Dictionary<string, string> { ["item"] = Longest })
            : null,
    };

    public static TheoryData<string> EveryCard => new(Cards().Keys);

    private static Dictionary<string, AdaptiveCard> Cards() => new()
    {
        ["open approval"] = TeamsCards.Render(Card(CardKind.Approval, CardStatus.Open), Berlin),
        ["rejected approval"] = TeamsCards.Render(Card(CardKind.Approval, CardStatus.Rejected), Berlin),
        ["question form"] = TeamsInfoCards.QuestionForm(Card(CardKind.Approval, CardStatus.Open)),
        ["open question"] = TeamsInfoCards.Render(Card(CardKind.Question, CardStatus.Open), Berlin),
        ["open resubmit"] = TeamsInfoCards.Render(Card(CardKind.Resubmit, CardStatus.Open), Berlin),
        ["closed resubmit"] = TeamsInfoCards.Render(Card(CardKind.Resubmit, CardStatus.Closed), Berlin),
    };

    [Theory]
    [MemberData(nameof(EveryCard))]
    public async Task A_card_with_the_longest_accepted_text_is_valid_and_well_under_Teams_limit(string name)
    {
        var card = Cards()[name];
        var json = Sent(card);

        await CardSchema.AssertValid(card.ToJsonObject(), name);
        var bytes = Encoding.UTF8.GetByteCount(json);
        Assert.True(bytes < 20 * 1024, $"{name}: {bytes:N0} bytes");
        Assert.Contains("… (all of it: status purchase-3)", json);
    }

    /// <summary>The card as the Bot Framework SDK sends it (TeamsOutboxHandler.Attachment): UTF-8 JSON, not \u-escaped.</summary>
    private static string Sent(AdaptiveCard card) =>
        Newtonsoft.Json.Linq.JObject.Parse(card.ToJson()).ToString(Newtonsoft.Json.Formatting.None);

    [Fact]
    public void A_card_says_how_many_earlier_questions_it_leaves_out()
    {
        var json = Sent(TeamsCards.Render(Card(CardKind.Approval, CardStatus.Open), Berlin));

        Assert.Contains("3 earlier questions and answers: status purchase-3", json);
    }

    [Fact]
    public void Text_inputs_stop_at_the_engines_limits()
    {
        var card = TeamsCards.Render(Card(CardKind.Approval, CardStatus.Open), Berlin).ToJsonObject();

        var reason = card["body"]!.AsArray().Single(e => (string?)e!["id"] == TeamsCards.ReasonInput)!;
        Assert.Equal(TextLimits.Comment, (int)reason["maxLength"]!);
    }

    [Fact]
    public void The_home_card_stays_small_with_twenty_long_questions_waiting()
    {
        var waiting = Enumerable.Range(1, HomeModel.Limit)
            .Select(i => new HomeItem($"purchase-{i}", null, HomeItemKind.Other, Longest[..TextLimits.Title], "Alice Adams", DateTimeOffset.UnixEpoch, null, "Bob Brown asked you: " + Longest))
            .ToList();
        var home = new HomeModel("alice@example.com", Berlin, waiting, []);

        var bytes = Encoding.UTF8.GetByteCount(Sent(TeamsHome.Render(home)));

        Assert.True(bytes < 28 * 1024, $"{bytes:N0} bytes");
    }
}
