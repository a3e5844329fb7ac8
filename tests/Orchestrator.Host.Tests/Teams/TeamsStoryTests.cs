using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Host.Teams;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.TeamsStory;

namespace Orchestrator.Host.Tests.Teams;

/// <summary>Teams through the real host: Bot Framework activities in, calls to a loopback Bot Connector out.</summary>
public sealed class TeamsStoryTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private BotConnectorFake _connector = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await SlackStory.StartSlack();
        _connector = await StartConnector();
        // Bob reads his cards in Teams; Alice has no preference, so she is answered where she last spoke.
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

    [Fact]
    public async Task Help_in_a_Teams_chat_answers_with_the_usage_and_remembers_who_asked()
    {
        var response = await _host.SendActivity(Message(_connector, Alice, "help"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = Assert.Single(_connector.Activities(Alice.Chat));
        Assert.Contains("start and follow approvals", reply.Text);
        Assert.Single(_connector.CallsTo(BotConnectorFake.Member));
        var known = _host.Services.GetRequiredService<TeamsConversations>().FindByEmail("alice@example.com");
        Assert.NotNull(known);
        Assert.Equal(Alice.AadObjectId, known.AadObjectId);
        Assert.Equal(_connector.ServiceUrl.ToString(), known.ServiceUrl);
    }

    [Fact]
    public async Task A_person_who_installed_the_app_gets_their_card_in_Teams_before_typing_anything()
    {
        // A personal install: membersAdded names only the bot, Bob is the sender.
        var install = Install(_connector, Bob);
        Assert.Equal([BotId], install["membersAdded"]!.AsArray().Select(m => (string?)m!["id"]));
        await _host.SendActivity(install);
        Assert.Contains("Type help", _connector.Activities(Bob.Chat).Single().Text);

        await _host.Command(_slack, SlackStory.Alice, "start purchase amount=300 item=Chair");

        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card in his Teams chat", TimeSpan.FromSeconds(30));
        Assert.Contains("Chair", _connector.Cards(Bob.Chat)[0].Card!.Text());
        Assert.Empty(_slack.Cards(SlackStory.Bob));
        Assert.Equal(Bob.AadObjectId, _host.Services.GetRequiredService<TeamsConversations>().FindByEmail("bob@example.com")?.AadObjectId);
    }

    [Fact]
    public async Task A_channel_message_that_mentions_the_bot_runs_the_command_without_the_mention()
    {
        var activity = Activity(_connector, Alice, "message", "19:general@thread.tacv2", "channel");
        activity["text"] = "<at>Orchestrator</at> workflows";
        activity["entities"] = new JsonArray(new JsonObject
        {
            ["type"] = "mention",
            ["text"] = "<at>Orchestrator</at>",
            ["mentioned"] = new JsonObject { ["id"] = BotId, ["name"] = "Orchestrator" },
        });

        await _host.SendActivity(activity);

        var reply = Assert.Single(_connector.Activities("19:general@thread.tacv2"));
        Assert.Contains("Workflows you can start", reply.Text);
    }

    [Fact]
    public async Task A_channel_message_without_a_mention_is_not_a_command()
    {
        var activity = Activity(_connector, Alice, "message", "19:general@thread.tacv2", "channel");
        activity["text"] = "help";

        await _host.SendActivity(activity);

        Assert.Empty(_connector.Activities("19:general@thread.tacv2"));
    }

    [Fact]
    public async Task Purchase_started_in_Teams_reaches_the_manager_on_a_Teams_card_and_his_approval_returns_the_decided_card()
    {
        await _host.SendActivity(Install(_connector, Bob));
        Assert.Contains("Type help", _connector.Activities(Bob.Chat).Single().Text);

        await _host.SendActivity(Message(_connector, Alice, "start purchase amount=1500 item=Desk"));
        Assert.Contains("Started purchase-1", _connector.Activities(Alice.Chat).Single().Text);

        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card");
        var card = _connector.Cards(Bob.Chat)[0].Card!;
        Assert.Equal("1.5", (string?)card["version"]);
        Assert.Equal(["approve", "reject", "request_info"], card.Actions().Select(a => (string)a["verb"]!));
        Assert.Contains("Desk", card.Text());
        Assert.Contains("Alice Adams", card.Text());
        var approve = card.ActionData("approve");
        Assert.Equal("purchase-1", (string?)approve["instanceId"]);

        var answer = await _host.Click(_connector, Bob, "approve", approve);

        Assert.Equal(200, (int)answer["statusCode"]!);
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)answer["type"]);
        var decided = answer["value"]!.AsObject();
        Assert.Contains("Approved by Bob Brown", decided.Text());
        Assert.Empty(decided.Actions());
        Assert.Equal("approve", _host.Store.Get("purchase-1")!.Steps[0].Assignments[0].Decision?.Verdict.ToString().ToLowerInvariant());

        await _connector.WaitFor(c => c.Cards(Bob.Chat)[0].Updates > 0, "Bob's posted card updated in place");
        Assert.Empty(_connector.Cards(Bob.Chat)[0].Card!.Actions());
        await _connector.WaitFor(c => c.Activities(Alice.Chat).Any(a => a.Text?.Contains("Bob Brown approved purchase-1") == true), "Alice told in Teams");
        // The finance people prefer Slack: one workflow, both platforms.
        await _slack.WaitFor(s => s.Cards(SlackStory.Dave).Count == 1 && s.Cards(SlackStory.Erin).Count == 1, what: "finance cards in Slack");
    }

    [Fact]
    public async Task A_Slack_requester_with_a_Teams_approver_hears_the_approval_in_Slack()
    {
        await _host.SendActivity(Install(_connector, Bob));
        await _host.Command(_slack, SlackStory.Alice, "start purchase amount=300 item=Chair");

        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card");
        Assert.Empty(_slack.Cards(SlackStory.Bob));
        var answer = await _host.Click(_connector, Bob, "approve", _connector.Cards(Bob.Chat)[0].Card!.ActionData("approve"));
        Assert.Contains("Approved by Bob Brown", answer["value"]!.AsObject().Text());

        await _slack.WaitFor(s => s.Dm(SlackStory.Alice).Any(m => m.AllText().Contains("purchase-1") && m.AllText().Contains("is approved")),
            what: "Alice told in Slack that purchase-1 is approved");

        // status says where each card went.
        await _host.Command(_slack, SlackStory.Alice, "status purchase-1");
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("Bob Brown approved") && r.Contains("[card in Teams]")), what: "status naming Teams");
    }

    [Fact]
    public async Task Someone_else_clicking_the_card_is_told_why_and_nothing_changes()
    {
        await _host.SendActivity(Install(_connector, Bob));
        await _host.SendActivity(Message(_connector, Alice, "start purchase amount=300 item=Chair"));
        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card");
        var data = _connector.Cards(Bob.Chat)[0].Card!.ActionData("approve");

        var answer = await _host.Click(_connector, Carol, "approve", data);

        Assert.Equal("application/vnd.microsoft.activity.message", (string?)answer["type"]);
        Assert.Contains("only they can answer it", (string?)answer["value"]);
        Assert.Null(_host.Store.Get("purchase-1")!.Steps[0].Assignments[0].Decision);
        Assert.Empty(_connector.CallsTo(BotConnectorFake.Update));
    }

    [Fact]
    public async Task Reject_needs_a_reason_and_a_second_click_shows_the_decided_card()
    {
        await _host.SendActivity(Install(_connector, Bob));
        await _host.SendActivity(Message(_connector, Alice, "start purchase amount=300 item=Chair"));
        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card");
        var data = _connector.Cards(Bob.Chat)[0].Card!.ActionData("reject");

        var withoutReason = await _host.Click(_connector, Bob, "reject", data);
        Assert.Contains("reason is required", (string?)withoutReason["value"]);
        Assert.Null(_host.Store.Get("purchase-1")!.Steps[0].Assignments[0].Decision);

        data["reason"] = "Over budget";
        var rejected = await _host.Click(_connector, Bob, "reject", data);
        Assert.Contains("Rejected by Bob Brown", rejected["value"]!.AsObject().Text());
        Assert.Contains("Over budget", rejected["value"]!.AsObject().Text());

        var again = await _host.Click(_connector, Bob, "approve", data);
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)again["type"]);
        Assert.Contains("Already decided", again["value"]!.AsObject().Text());
        Assert.Empty(again["value"]!.AsObject().Actions());
        Assert.Equal("Rejected", _host.Store.Get("purchase-1")!.State.ToString());
    }

    [Fact]
    public async Task An_unknown_verb_is_a_clear_error_and_changes_nothing()
    {
        var answer = await _host.Click(_connector, Bob, "delete_everything", new JsonObject { ["instanceId"] = "purchase-1", ["assignmentId"] = "manager.1" });

        Assert.Equal(400, (int)answer["statusCode"]!);
        Assert.Contains("Unknown action 'delete_everything'", (string?)answer["value"]!["message"]);
    }

    [Fact]
    public async Task Missing_inputs_get_a_form_card_whose_submission_starts_the_workflow()
    {
        await _host.SendActivity(Message(_connector, Alice, "start purchase item=Desk"));

        var form = _connector.Cards(Alice.Chat).Single().Card!;
        Assert.Contains(form["body"]!.AsArray(), e => (string?)e!["id"] == "amount" && (string?)e["type"] == "Input.Number");
        var start = form.ActionData("start");
        Assert.Equal("purchase", (string?)start["workflow"]);

        start["amount"] = "250";
        start["item"] = "Desk";
        var answer = await _host.Click(_connector, Alice, "start", start);

        Assert.Contains("Started purchase-1", (string?)answer["value"]);
        Assert.Equal("alice@example.com", _host.Store.Get("purchase-1")!.Requester);
    }

    [Fact]
    public async Task A_person_known_only_from_a_channel_gets_a_new_1_to_1_chat_for_their_card()
    {
        var channelMessage = Activity(_connector, Bob, "message", "19:general@thread.tacv2", "channel");
        channelMessage["text"] = "hello everyone";
        await _host.SendActivity(channelMessage);

        await _host.SendActivity(Message(_connector, Alice, "start purchase amount=300 item=Chair"));

        await _connector.WaitFor(c => c.Cards($"a:personal-{Bob.Id}").Count == 1, "Bob's card in a newly created 1:1 chat");
        var create = Assert.Single(_connector.CallsTo(BotConnectorFake.Create));
        Assert.Equal(Bob.Id, (string?)create.Body!["members"]![0]!["id"]);
        Assert.Equal(Tenant, (string?)create.Body!["tenantId"]);
    }

    [Fact]
    public async Task A_card_the_Bot_Connector_refuses_for_a_while_is_posted_once_it_recovers()
    {
        await _host.SendActivity(Install(_connector, Bob));
        _connector.FailNext(BotConnectorFake.Send, 500);
        _connector.FailNext(BotConnectorFake.Send, 429, retryAfterSeconds: 1);

        await _host.Command(_slack, SlackStory.Alice, "start purchase amount=300 item=Chair");

        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card after the retries", TimeSpan.FromSeconds(60));
        var cardPosts = _connector.CallsTo(BotConnectorFake.Send).Where(c => c.ConversationId == Bob.Chat && c.Body?["attachments"] is JsonArray { Count: > 0 });
        Assert.Equal(3, cardPosts.Count());
    }

    [Fact]
    public async Task Without_an_app_id_a_caller_that_is_not_on_loopback_gets_401_and_nothing_is_processed()
    {
        var response = await _host.SendActivity(Message(_connector, Alice, "help"), remoteAddress: "203.0.113.7");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_connector.Calls);
        Assert.Null(_host.Services.GetRequiredService<TeamsConversations>().FindByUserId(Alice.Id));
    }
}
