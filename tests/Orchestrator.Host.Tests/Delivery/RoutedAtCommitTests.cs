using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using Chat = Orchestrator.Host.Tests.Infrastructure.TeamsStory;

namespace Orchestrator.Host.Tests.Delivery;

/// <summary>
/// The platform an effect goes to is decided when it is committed and kept with it: a retry, on this host or another,
/// sends it the same way even if where the person last spoke has changed meanwhile.
/// </summary>
public sealed class RoutedAtCommitTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private BotConnectorFake _connector = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await SlackStory.StartSlack();
        _connector = await Chat.StartConnector();
        _host = TestHost.Start(_slack);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _connector.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task A_card_routed_to_Slack_when_committed_stays_in_Slack_though_its_recipient_speaks_in_Teams_before_the_retry()
    {
        // Slack asks the host to come back later with Bob's card; meanwhile Bob writes to the bot in Teams.
        _slack.RateLimitNext("chat.postMessage", retryAfterSeconds: 15);
        await _host.Command(_slack, SlackStory.Alice, "start purchase amount=200 item=Lamp");
        await _slack.WaitFor(s => s.CallsTo("chat.postMessage").Count >= 1, TimeSpan.FromMinutes(2), "the first, refused, post of Bob's card");
        var card = Assert.Single(_host.Store.AllOutbox(), o => o.Kind == OutboxKinds.Effect && o.Recipient == "bob@example.com" && o.Payload.Contains("\"effect\":\"ask\""));
        Assert.Equal("slack", card.Platform);

        await _host.SendActivity(Chat.Message(_connector, Chat.Bob, "help"));
        await _connector.WaitFor(c => c.Activities(Chat.Bob.Chat).Count >= 1, "the help answer in Teams", TimeSpan.FromMinutes(2));

        await _slack.WaitFor(s => s.Cards(SlackStory.Bob).Count == 1, TimeSpan.FromMinutes(2), "Bob's card in Slack after the retry");
        Assert.Empty(_connector.Cards(Chat.Bob.Chat));
    }

    [Fact]
    public async Task Every_chat_effect_is_committed_with_the_platform_that_delivers_it()
    {
        await _host.Command(_slack, SlackStory.Alice, "start purchase amount=200 item=Lamp");
        await _slack.WaitFor(s => s.Cards(SlackStory.Bob).Count == 1, TimeSpan.FromMinutes(2), "Bob's card");

        var effects = _host.Store.AllOutbox().Where(o => o.Kind == OutboxKinds.Effect && o.InstanceId == "purchase-1").ToList();
        Assert.NotEmpty(effects);
        Assert.All(effects, o => Assert.Equal("slack", o.Platform));
    }
}
