using System.Text.Json.Nodes;
using NJsonSchema;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Teams;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Teams;

public sealed class TeamsCardsTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static readonly Lazy<Task<JsonSchema>> Schema = new(() =>
        JsonSchema.FromFileAsync(Path.Combine(Repo.Schemas, "adaptive-card-1.5.schema.json")));

    private static CardModel Card(CardKind kind = CardKind.Approval, CardStatus status = CardStatus.Open, string? outcome = null, string? reason = null) => new()
    {
        InstanceId = "purchase-3",
        AssignmentId = "manager.1",
        StepId = "manager",
        Kind = kind,
        Title = "Purchase of Standing desk for 1500 EUR",
        WorkflowName = "Purchase request",
        RequestedBy = "Alice Adams",
        Fields = [new CardField("Amount (EUR)", "1500"), new CardField("Item", "Standing desk")],
        DueAt = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero),
        Status = status,
        Outcome = outcome,
        Reason = reason,
        Progress = status == CardStatus.Open ? "1 of 2 approvals" : null,
    };

    public static TheoryData<string> EveryCard => new(Cards().Keys);

    private static Dictionary<string, AdaptiveCard> Cards()
    {
        var definition = new WorkflowDefinition
        {
            Id = "everything",
            Name = "Every input type",
            Version = "test",
            Inputs =
            [
                new InputDefinition { Id = "amount", Label = "Amount", Type = InputType.Number, Required = true },
                new InputDefinition { Id = "purpose", Label = "Purpose", Type = InputType.Text, Required = true },
                new InputDefinition { Id = "when", Label = "When", Type = InputType.Date },
                new InputDefinition { Id = "size", Label = "Size", Type = InputType.Choice, Options = ["s", "m", "l"] },
                new InputDefinition { Id = "buddy", Label = "Buddy", Type = InputType.Person },
            ],
            Steps = [],
        };
        var form = new StartForm(definition, new Dictionary<string, string> { ["amount"] = "12.5", ["size"] = "m" }, [definition.Inputs[1]]);
        return new()
        {
            ["open approval"] = TeamsCards.Render(Card(), Berlin),
            ["open task"] = TeamsCards.Render(Card(CardKind.Task), Berlin),
            ["approved"] = TeamsCards.Render(Card(status: CardStatus.Approved, outcome: "Approved by Bob Brown · Mon 2 Mar 10:00 Europe/Berlin"), Berlin),
            ["rejected"] = TeamsCards.Render(Card(status: CardStatus.Rejected, outcome: "Rejected by Bob Brown", reason: "Over budget"), Berlin),
            ["done"] = TeamsCards.Render(Card(CardKind.Task, CardStatus.Done, "Marked done by Bob Brown"), Berlin),
            ["closed"] = TeamsCards.Render(Card(status: CardStatus.Closed, outcome: "Cancelled by Alice Adams"), Berlin),
            ["already decided"] = TeamsCards.Render(Card(status: CardStatus.Approved, outcome: "Approved by Bob Brown"), Berlin, "Already decided: you approved this."),
            ["start form"] = TeamsCards.StartForm(form),
            ["start form with a problem"] = TeamsCards.StartForm(form, "Amount must be a number."),
        };
    }

    [Theory]
    [MemberData(nameof(EveryCard))]
    public async Task Every_card_passes_the_Adaptive_Card_1_5_schema(string name)
    {
        var json = Cards()[name].ToJsonObject();
        StripTeamsOnlyProperties(json);

        var errors = (await Schema.Value).Validate(json.ToJsonString());

        Assert.True(errors.Count == 0, $"{name}:\n" + string.Join('\n', errors.Select(e => $"{e.Path}: {e.Kind} {e}")) + "\n" + json.ToJsonString());
    }

    [Fact]
    public void An_open_approval_offers_exactly_approve_reject_and_request_info_naming_its_assignment()
    {
        var card = TeamsCards.Render(Card(), Berlin).ToJsonObject();

        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", (string?)card["$schema"]);
        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        Assert.Equal("1.5", (string?)card["version"]);
        var actions = card["actions"]!.AsArray().Select(a => a!.AsObject()).ToList();
        Assert.Equal(["approve", "reject", "request_info"], actions.Select(a => (string)a["verb"]!));
        Assert.All(actions, a => Assert.Equal("Action.Execute", (string?)a["type"]));
        Assert.All(actions, a => Assert.Equal("{\"instanceId\":\"purchase-3\",\"assignmentId\":\"manager.1\"}", a["data"]!.ToJsonString()));
    }

    [Fact]
    public void Only_reject_validates_the_required_reason()
    {
        var card = TeamsCards.Render(Card(), Berlin).ToJsonObject();

        var reason = card["body"]!.AsArray().Single(e => (string?)e!["id"] == "reason")!;
        Assert.Equal("Input.Text", (string?)reason["type"]);
        Assert.True((bool)reason["isRequired"]!);
        var associated = card["actions"]!.AsArray().ToDictionary(a => (string)a!["verb"]!, a => (string?)a!["associatedInputs"]);
        Assert.Equal("auto", associated["reject"]);
        Assert.Equal("none", associated["approve"]);
        Assert.Equal("none", associated["request_info"]);
    }

    [Fact]
    public void An_open_task_offers_done_only()
    {
        var card = TeamsCards.Render(Card(CardKind.Task), Berlin).ToJsonObject();

        Assert.Equal(["done"], card["actions"]!.AsArray().Select(a => (string)a!["verb"]!));
        Assert.DoesNotContain(card["body"]!.AsArray(), e => (string?)e!["id"] == "reason");
    }

    [Fact]
    public void A_decided_card_shows_its_outcome_and_reason_and_has_no_actions()
    {
        var card = TeamsCards.Render(Card(status: CardStatus.Rejected, outcome: "Rejected by Bob Brown", reason: "Over budget"), Berlin).ToJsonObject();

        Assert.Null(card["actions"]);
        Assert.Contains("Rejected by Bob Brown", card.ToJsonString());
        Assert.Contains("Over budget", card.ToJsonString());
        Assert.DoesNotContain("Due ", card.ToJsonString());
    }

    [Fact]
    public void An_open_card_shows_the_due_time_in_the_readers_zone()
    {
        var card = TeamsCards.Render(Card(), Berlin).ToJsonObject();

        Assert.Contains("Due Mon 2 Mar 10:00 Europe/Berlin", card.ToJsonString());
    }

    /// <summary>The schema is strict; Teams' own <c>msteams</c> extension is the one thing allowed beyond it.</summary>
    private static void StripTeamsOnlyProperties(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("msteams");
                foreach (var (_, child) in o.ToList()) StripTeamsOnlyProperties(child);
                break;
            case JsonArray a:
                foreach (var child in a) StripTeamsOnlyProperties(child);
                break;
        }
    }
}
