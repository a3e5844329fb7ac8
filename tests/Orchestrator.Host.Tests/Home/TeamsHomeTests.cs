using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.TeamsStory;

namespace Orchestrator.Host.Tests.Home;

/// <summary>`home` typed in Teams answers with the App Home's content as one Adaptive Card.</summary>
public sealed class TeamsHomeTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private BotConnectorFake _connector = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await SlackStory.StartSlack();
        _connector = await StartConnector();
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?>
        {
            ["Directory:Path"] = TeamsStory.Directory(("bob@example.com", "teams")),
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _connector.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Home_in_Teams_is_a_card_with_what_waits_for_me_and_my_requests()
    {
        await _host.SendActivity(Install(_connector, Bob));
        await _host.Command(_slack, SlackStory.Alice, "start purchase amount=300 item=Chair");
        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card");

        await _host.SendActivity(Message(_connector, Bob, "home"));

        var card = _connector.Activities(Bob.Chat).Last().Card!;
        await CardSchema.AssertValid(card, "home card");
        var text = card.Text();
        Assert.Contains("Waiting for you (1)", text);
        Assert.Contains("purchase-1", text);
        Assert.Contains("from Alice Adams", text);
        Assert.Contains("You have not started any request yet", text);
    }

    [Fact]
    public async Task Home_with_nothing_waiting_says_so()
    {
        await _host.SendActivity(Install(_connector, Bob));
        await _host.SendActivity(Message(_connector, Bob, "home"));

        var card = _connector.Activities(Bob.Chat).Last().Card!;
        await CardSchema.AssertValid(card, "empty home card");
        Assert.Contains("Nothing waits for you", card.Text());
    }
}
