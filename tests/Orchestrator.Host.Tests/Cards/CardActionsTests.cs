using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Cards;

/// <summary>
/// The same card verbs clicked in Slack and in Teams reach the same shared handler: each rule (who may click, a reason
/// to reject, a decision recorded once, text limits) gives the same answer and the same stored result on both.
/// </summary>
public sealed class CardActionsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private SlackFake _slack = null!;
    private BotConnectorFake _connector = null!;
    private TestHost? _host;

    public async Task InitializeAsync()
    {
        _slack = await SlackStory.StartSlack();
        _connector = await TeamsStory.StartConnector();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        await _connector.DisposeAsync();
        await _slack.DisposeAsync();
    }

    public static TheoryData<string> Platforms => new() { "slack", "teams" };

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task Someone_other_than_the_assignee_cannot_approve_and_nothing_changes(string platform)
    {
        var chat = await PurchaseOnBobsCard(platform);

        var told = await chat.Refused(Person.Carol, CardVerb.Approve);

        Assert.Contains("This card is for Bob Brown; only they can answer it. Nothing was changed.", told);
        var stored = Stored();
        Assert.Equal(InstanceState.Open, stored.State);
        Assert.Null(stored.Steps[0].Assignments[0].Decision);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task Someone_other_than_the_assignee_cannot_ask_the_requester_a_question(string platform)
    {
        var chat = await PurchaseOnBobsCard(platform);

        var told = await chat.Refused(Person.Carol, CardVerb.AskQuestion);

        Assert.Contains("This card is for Bob Brown; only they can answer it. Nothing was changed.", told);
        Assert.Empty(Stored().Steps[0].Questions);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task A_card_is_decided_once_and_a_second_click_is_told_so(string platform)
    {
        var chat = await PurchaseOnBobsCard(platform);

        await chat.Click(Person.Bob, CardVerb.Approve);
        await Eventually(() => Stored().Steps[0].Assignments[0].Decision is not null, "Bob's approval recorded");
        var told = await chat.Refused(Person.Bob, CardVerb.Approve);

        Assert.Contains("Already decided: you approved this at", told);
        var decision = Stored().Steps[0].Assignments[0].Decision!;
        Assert.Equal((Verdict.Approve, "bob@example.com", platform), (decision.Verdict, decision.By, decision.Via));
        Assert.Single(Stored().History, e => e.Kind == EventKind.Decided);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task A_rejection_without_a_reason_changes_nothing_and_with_one_is_recorded_with_it(string platform)
    {
        var chat = await PurchaseOnBobsCard(platform);

        var told = await chat.Refused(Person.Bob, CardVerb.Reject, "   ");

        Assert.Contains("A reason is required to reject.", told);
        Assert.Equal(InstanceState.Open, Stored().State);

        await chat.Click(Person.Bob, CardVerb.Reject, "Too expensive, pick the oak one");
        await Eventually(() => Stored().State == InstanceState.Rejected, "the rejection recorded");
        var decision = Stored().Steps[0].Assignments[0].Decision!;
        Assert.Equal((Verdict.Reject, "Too expensive, pick the oak one", platform), (decision.Verdict, decision.Comment, decision.Via));
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task A_reason_over_the_limit_changes_nothing(string platform)
    {
        var chat = await PurchaseOnBobsCard(platform);
        var reason = new string('x', TextLimits.Comment + 1);

        var told = await chat.Refused(Person.Bob, CardVerb.Reject, reason);

        Assert.Contains(TextLimits.Exceeded("The reason", reason, TextLimits.Comment)!, told);
        Assert.Equal(InstanceState.Open, Stored().State);
        Assert.Null(Stored().Steps[0].Assignments[0].Decision);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public async Task A_question_over_the_limit_is_not_sent_and_a_blank_one_asks_for_words(string platform)
    {
        var chat = await PurchaseOnBobsCard(platform);
        var question = new string('?', TextLimits.Question + 1);

        var tooLong = await chat.Refused(Person.Bob, CardVerb.AskQuestion, question);
        var blank = await chat.Refused(Person.Bob, CardVerb.AskQuestion, "  ");

        Assert.Contains(TextLimits.Exceeded("The question", question, TextLimits.Question)!, tooLong);
        Assert.Contains("Write a question for", blank);
        Assert.Empty(Stored().Steps[0].Questions);
    }

    private WorkflowInstance Stored() => _host!.Store.Get("purchase-1")!;

    /// <summary>Alice asks for a chair; Bob's card reaches him on <paramref name="platform"/>, where he then clicks.</summary>
    private async Task<IChat> PurchaseOnBobsCard(string platform)
    {
        _host = TestHost.Start(_slack, settings: platform == "teams"
            ? new Dictionary<string, string?> { ["Directory:Path"] = TeamsStory.Directory(("bob@example.com", "teams")) }
            : null);
        IChat chat = platform == "teams" ? new TeamsChat(_host, _connector) : new SlackChat(_host, _slack);
        await chat.Join();
        await _host.Command(_slack, SlackStory.Alice, "start purchase amount=300 item=Chair");
        await chat.CardArrived();
        return chat;
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > Patience) Assert.Fail($"{what}: not within {Patience.TotalSeconds:0} s.");
            await Task.Delay(20);
        }
    }

    internal enum Person { Bob, Carol }

    internal enum CardVerb { Approve, Reject, AskQuestion }

    /// <summary>One chat's way of clicking Bob's card, and of reading what the clicker is told.</summary>
    private interface IChat
    {
        Task Join();

        Task CardArrived();

        /// <summary>Clicks (and fills in the form the click asks for); returns once the chat accepted it.</summary>
        Task Click(Person who, CardVerb verb, string? text = null);

        /// <summary>Clicks and returns what the clicker is told instead of a change.</summary>
        Task<string> Refused(Person who, CardVerb verb, string? text = null);
    }

    private sealed class SlackChat(TestHost host, SlackFake slack) : IChat
    {
        private static string User(Person who) => who == Person.Bob ? SlackStory.Bob : SlackStory.Carol;

        // Read when the card arrives: once decided, the card is redrawn without its buttons.
        private Dictionary<string, string> _values = [];

        private string Value(string actionId) => _values[actionId];

        public Task Join() => Task.CompletedTask;

        public async Task CardArrived()
        {
            await slack.WaitFor(s => s.Cards(SlackStory.Bob).Count == 1, Patience, "Bob's card in Slack");
            _values = slack.Cards(SlackStory.Bob)[0].Buttons().ToDictionary(b => (string)b["action_id"]!, b => (string)b["value"]!);
        }

        public async Task Click(Person who, CardVerb verb, string? text = null) => Assert.Null(await Act(who, verb, text, refusal: false));

        public async Task<string> Refused(Person who, CardVerb verb, string? text = null)
        {
            var told = await Act(who, verb, text, refusal: true);
            Assert.NotNull(told);
            return told;
        }

        /// <summary>A button's refusal comes through its response_url; a form's refusal comes as the form's errors.</summary>
        private async Task<string?> Act(Person who, CardVerb verb, string? text, bool refusal)
        {
            var respondTo = $"act-{Guid.NewGuid():N}";
            var actionId = verb switch { CardVerb.Approve => "approve", CardVerb.Reject => "reject", _ => "request_info" };
            var click = TestHost.BlockAction(slack, User(who), actionId, Value(actionId));
            click["response_url"] = slack.ResponseUrl(respondTo).ToString();
            var views = slack.CallsTo("views.open").Count;
            Assert.Equal(HttpStatusCode.OK, (await host.Interaction(click)).StatusCode);

            // A recorded click answers nothing of its own: its cards change. A reject opens the reason form first.
            if (!refusal && verb == CardVerb.Approve) return null;
            await slack.WaitFor(s => s.ResponsesTo(respondTo).Count > 0 || s.CallsTo("views.open").Count > views, Patience, $"the answer to {verb}");
            if (slack.ResponsesTo(respondTo) is [var response, ..]) return response;
            if (verb == CardVerb.Approve) return null;

            // The form the click opened, filled in and submitted: its errors come back in the submission's answer.
            var view = slack.CallsTo("views.open")[^1].Body["view"]!.AsObject();
            var (callback, block) = verb == CardVerb.Reject ? ("reject_reason", "reason") : ("info_question", "question");
            var values = new JsonObject { [block] = new JsonObject { [block] = new JsonObject { ["type"] = "plain_text_input", ["value"] = text } } };
            var submitted = await host.SubmitView(User(who), callback, (string)view["private_metadata"]!, values);
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
            var body = await submitted.Content.ReadAsStringAsync();
            return body.Length == 0 ? null : (string?)JsonNode.Parse(body)?["errors"]?[block];
        }
    }

    private sealed class TeamsChat(TestHost host, BotConnectorFake connector) : IChat
    {
        private static TeamsUser User(Person who) => who == Person.Bob ? TeamsStory.Bob : TeamsStory.Carol;

        // Read when the card arrives: once decided, the card is redrawn without its actions.
        private JsonObject _card = [];

        private JsonObject Card => _card;

        public Task Join() => host.SendActivity(TeamsStory.Install(connector, TeamsStory.Bob));

        public async Task CardArrived()
        {
            await connector.WaitFor(c => c.Cards(TeamsStory.Bob.Chat).Count == 1, "Bob's card in Teams", Patience);
            _card = connector.Cards(TeamsStory.Bob.Chat)[0].Card!;
        }

        public async Task Click(Person who, CardVerb verb, string? text = null) => await Act(who, verb, text);

        public async Task<string> Refused(Person who, CardVerb verb, string? text = null) => await Act(who, verb, text);

        /// <summary>The invoke's answer: a message, or the card as it now stands with the reason on it.</summary>
        private async Task<string> Act(Person who, CardVerb verb, string? text)
        {
            var name = verb switch { CardVerb.Approve => "approve", CardVerb.Reject => "reject", _ => "request_info" };
            var data = Card.ActionData(name);
            if (verb == CardVerb.Reject) data["reason"] = text;
            if (verb == CardVerb.AskQuestion && text is not null) data["question"] = text;
            var answer = await host.Click(connector, User(who), name, data);
            Assert.Equal(200, (int)answer["statusCode"]!);
            return answer["value"] is JsonObject card ? card.Text() : (string?)answer["value"] ?? "";
        }
    }
}
