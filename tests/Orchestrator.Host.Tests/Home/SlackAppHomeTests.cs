using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Home;

/// <summary>The App Home tab: each person's queue with the cards' own buttons, and their requests, kept up to date.</summary>
public sealed class SlackAppHomeTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private TestHost _host = null!;
    private int _events;

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
    public async Task Opening_the_home_tab_shows_what_waits_for_me_with_the_cards_buttons()
    {
        await _host.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");

        Assert.Equal(HttpStatusCode.OK, (await OpenHome(Bob)).StatusCode);
        await _slack.WaitFor(s => s.HomeView(Bob) is not null, what: "Bob's home published");
        var home = _slack.HomeView(Bob)!;
        Assert.Equal("home", (string?)home["type"]);
        var text = home.ToJsonString();
        Assert.Contains("Waiting for you (1)", text);
        Assert.Contains("Standing desk", text);
        Assert.Contains("purchase-1", text);
        Assert.Contains("from Alice Adams", text);
        Assert.Equal(["approve", "reject", "request_info"], Buttons(home).Select(b => (string)b["action_id"]!));
        Assert.Equal(_slack.Cards(Bob)[0].ButtonValue("approve"), (string?)Buttons(home)[0]["value"]);
    }

    [Fact]
    public async Task Approving_from_the_home_tab_decides_and_both_homes_are_redrawn()
    {
        await _host.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await OpenHome(Alice);
        await OpenHome(Bob);
        await _slack.WaitFor(s => Buttons(s.HomeView(Bob)).Count == 3 && s.HomeView(Alice) is not null, what: "both homes published");
        Assert.Contains("waiting on Bob Brown at manager", _slack.HomeView(Alice)!.ToJsonString());

        // A click on the home tab has no response_url and no message; it is the same decision as on the card.
        var click = TestHost.BlockAction(_slack, Bob, "approve", (string)Buttons(_slack.HomeView(Bob))[0]["value"]!);
        click.Remove("response_url");
        click["container"] = new JsonObject { ["type"] = "view", ["view_id"] = "VHOME" };
        Assert.Equal(HttpStatusCode.OK, (await _host.Interaction(click)).StatusCode);

        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0, what: "Bob's card closed in place");
        await _slack.WaitFor(s => s.HomeView(Bob)!.ToJsonString().Contains("Nothing waits for you"), what: "Bob's home redrawn");
        await _slack.WaitFor(s => s.HomeView(Alice)!.ToJsonString().Contains("waiting on Dave Diaz, Erin Evans at finance"), what: "Alice's home redrawn");
        Assert.Empty(Buttons(_slack.HomeView(Bob)));
    }

    [Fact]
    public async Task A_click_on_someone_elses_item_changes_nothing_and_is_answered_in_a_dm()
    {
        await _host.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        var click = TestHost.BlockAction(_slack, Mallory, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        click.Remove("response_url");
        await _host.Interaction(click);

        await _slack.WaitFor(s => s.Dm(Mallory).Any(m => m.AllText().Contains("only they can answer it")), what: "Mallory told privately");
        Assert.Equal(0, _slack.Cards(Bob)[0].Updates);
        Assert.Equal("Active", _host.Store.Get("purchase-1")!.Steps[0].State.ToString());
    }

    [Fact]
    public async Task The_messages_tab_and_unknown_people_publish_nothing()
    {
        await OpenHome(Bob, tab: "messages");
        await OpenHome("UNOBODY");
        await _host.Command(_slack, Alice, "help");
        await _slack.WaitFor(s => s.Responses().Count == 1, what: "a later request processed");
        await Task.Delay(200);
        Assert.Empty(_slack.CallsTo("views.publish"));
    }

    [Fact]
    public async Task The_home_command_answers_with_the_same_content_as_text()
    {
        await _host.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _host.Command(_slack, Bob, "home");
        await _slack.WaitFor(s => s.Responses().Any(r => r.StartsWith("Waiting for you (1)", StringComparison.Ordinal)), what: "Bob's home as text");
        Assert.Contains(_slack.Responses(), r => r.Contains("purchase-1 — ") && r.Contains("You have not started any request yet."));
    }

    private Task<HttpResponseMessage> OpenHome(string userId, string tab = "home") =>
        _host.PostSigned("/slack/events", new JsonObject
        {
            ["type"] = "event_callback",
            ["event_id"] = $"EvHome{Interlocked.Increment(ref _events)}",
            ["event"] = new JsonObject { ["type"] = "app_home_opened", ["user"] = userId, ["channel"] = "D1", ["tab"] = tab },
        }.ToJsonString(), "application/json");

    private static List<JsonObject> Buttons(JsonObject? view) =>
        (view?["blocks"]?.AsArray() ?? []).OfType<JsonObject>()
            .Where(b => (string?)b["type"] == "actions")
            .SelectMany(b => b["elements"]!.AsArray().OfType<JsonObject>())
            .ToList();
}
