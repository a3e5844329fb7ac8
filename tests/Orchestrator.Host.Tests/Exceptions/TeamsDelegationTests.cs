using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.TeamsStory;

namespace Orchestrator.Host.Tests.Exceptions;

/// <summary>The delegate command typed in Teams, with the delegate written as a Teams mention.</summary>
public sealed class TeamsDelegationTests : IAsyncLifetime
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
            ["Directory:Path"] = TeamsStory.Directory(("bob@example.com", "teams"), ("carol@example.com", "teams")),
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _connector.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private static JsonObject Mentioning(BotConnectorFake connector, TeamsUser from, string text, TeamsUser mentioned)
    {
        var activity = Message(connector, from, text.Replace("@", $"<at>{mentioned.Name}</at>", StringComparison.Ordinal));
        activity["entities"] = new JsonArray(new JsonObject
        {
            ["type"] = "mention",
            ["text"] = $"<at>{mentioned.Name}</at>",
            ["mentioned"] = new JsonObject { ["id"] = mentioned.Id, ["name"] = mentioned.Name },
        });
        return activity;
    }

    [Fact]
    public async Task Delegating_to_a_Teams_mention_moves_the_card_and_sends_new_work_there()
    {
        await _host.SendActivity(Install(_connector, Bob));
        await _host.SendActivity(Install(_connector, Carol));
        await _host.Command(_slack, SlackStory.Alice, "start purchase amount=300 item=Chair");
        await _connector.WaitFor(c => c.Cards(Bob.Chat).Count == 1, "Bob's card");

        await _host.SendActivity(Mentioning(_connector, Bob, "delegate @ until 2099-12-31", Carol));

        var answer = _connector.Activities(Bob.Chat).Last(a => a.Card is null).Text;
        Assert.Contains("your new assignments go to Carol Chen", answer);
        Assert.Contains("Moved what waited for you to Carol Chen: purchase-1.", answer);
        Assert.Equal("carol@example.com", Assert.Single(_host.Services.GetRequiredService<IDelegationStore>().All()).To);

        await _connector.WaitFor(c => c.Cards(Bob.Chat)[0].Updates > 0, "Bob's card closed in place");
        Assert.Empty(_connector.Cards(Bob.Chat)[0].Card!.Actions());
        Assert.Contains("Moved to Carol Chen (delegated)", _connector.Cards(Bob.Chat)[0].Card!.Text());
        await _connector.WaitFor(c => c.Cards(Carol.Chat).Count == 1, "Carol's card");
        Assert.Contains("on behalf of Bob Brown", _connector.Cards(Carol.Chat)[0].Card!.Text());

        // Carol answers in Teams on Bob's behalf.
        var approved = await _host.Click(_connector, Carol, "approve", _connector.Cards(Carol.Chat)[0].Card!.ActionData("approve"));
        Assert.Contains("Approved by Carol Chen", approved["value"]!.AsObject().Text());
        Assert.Equal("Completed", _host.Store.Get("purchase-1")!.State.ToString());
    }

    [Fact]
    public async Task Delegating_to_oneself_in_Teams_is_refused()
    {
        await _host.SendActivity(Mentioning(_connector, Bob, "delegate @", Bob));

        Assert.Contains("You can't delegate to yourself.", _connector.Activities(Bob.Chat).Last().Text);
        Assert.Empty(_host.Services.GetRequiredService<IDelegationStore>().All());
    }
}
