using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.TeamsStory;

namespace Orchestrator.Host.Tests.Delivery;

/// <summary>Where effects go when only Teams is on: never to Slack, and to the admins when Teams cannot reach someone.</summary>
public sealed class ChannelRouterTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private BotConnectorFake _connector = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await SlackStory.StartSlack();
        _connector = await StartConnector();
        // Slack is off: no bot token, no signing secret (the fake only shows that nothing calls it).
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?>
        {
            ["Slack:BotToken"] = "",
            ["Slack:SigningSecret"] = "",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _connector.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task With_Slack_off_a_card_for_someone_Teams_cannot_reach_fails_at_once_and_waits_on_an_admin()
    {
        // Carol (an admin) and Alice installed the app in Teams; Bob, Alice's manager, has not. Everyone prefers Slack.
        await _host.SendActivity(Install(_connector, Carol));
        await _host.SendActivity(Install(_connector, Alice));

        await _host.SendActivity(Message(_connector, Alice, "start purchase amount=300 item=Chair"));
        // The card's failure is delivered as the reply is sent, so Alice may hear "waits on an admin" first.
        Assert.Contains(_connector.Activities(Alice.Chat), a => a.Text?.Contains("Started purchase-1") == true);

        await _connector.WaitFor(c => c.Activities(Carol.Chat).Any(a => a.Text?.Contains("Could not deliver the card for manager of purchase-1 to Bob Brown") == true),
            "Carol alerted in Teams", TimeSpan.FromSeconds(30));
        var alert = _connector.Activities(Carol.Chat).Single(a => a.Text?.Contains("Could not deliver") == true).Text!;
        Assert.Contains("Slack is not configured", alert);
        Assert.Contains("admin reassign purchase-1 manager", alert);
        await _connector.WaitFor(c => c.Activities(Alice.Chat).Any(a => a.Text?.Contains("purchase-1 is waiting on an admin") == true),
            "Alice told her request waits on an admin", TimeSpan.FromSeconds(30));

        var card = Assert.Single(_host.Store.AllOutbox(), o => o.InstanceId == "purchase-1" && o.Recipient == "bob@example.com");
        Assert.Equal(OutboxState.Failed, card.State);
        Assert.Equal(1, card.Attempts);
        Assert.Empty(_slack.Calls);

        await _host.SendActivity(Message(_connector, Carol, "admin stuck"));
        var stuck = _connector.Activities(Carol.Chat).Last().Text!;
        Assert.Contains("Waiting on an admin (1)", stuck);
        Assert.Contains("purchase-1 at manager", stuck);
        Assert.Contains("could not be delivered to Bob Brown", stuck);
    }

    [Fact]
    public async Task With_Slack_off_someone_who_prefers_Slack_but_installed_the_app_gets_their_card_in_Teams()
    {
        await _host.SendActivity(Install(_connector, Bob));

        await _host.SendActivity(Message(_connector, Alice, "start purchase amount=300 item=Chair"));

        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card in Teams", TimeSpan.FromSeconds(30));
        Assert.Empty(_slack.Calls);
    }
}
