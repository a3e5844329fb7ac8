using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Browser.Tests;

/// <summary>
/// The purchase story clicked through in a real browser, as a newcomer does it: from the home page to the playground,
/// a start with a missing input, the manager's and both finance people's approvals, and the requester told.
/// </summary>
public sealed class PlaygroundStoryTests(PlaygroundHost host) : IClassFixture<PlaygroundHost>
{
    /// <summary>Set to a path (docs/playground.png from the repository root) to keep the mid-story screenshot for README.</summary>
    private const string ScreenshotSetting = "ORCHESTRATOR_SCREENSHOT";

    static PlaygroundStoryTests() => SetDefaultExpectTimeout(60_000);

    [BrowserFact]
    public async Task A_purchase_is_started_approved_by_everyone_and_the_requester_sees_it_approved_all_by_clicking()
    {
        var page = await host.NewPage();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the playground" }).ClickAsync();
        await Expect(page.GetByLabel("Chat as")).ToHaveValueAsync("alice@example.com");
        await Expect(Entry(page, "Hi, I'm Orchestrator")).ToBeVisibleAsync();

        // Alice starts it without the item: a form card asks for it.
        await page.GetByLabel("Message").FillAsync("start purchase amount=1500");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var form = Entry(page, "Start Purchase request");
        await form.GetByLabel("Item").FillAsync("Laptop");
        await form.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await Expect(form).ToContainTextAsync("Started purchase-");
        var id = Regex.Match(await form.InnerTextAsync(), @"Started (purchase-\d+)").Groups[1].Value;

        // Bob, her manager, has the card.
        await ChatAs(page, "bob@example.com");
        var bobs = Entry(page, "Purchase of Laptop for 1500 EUR");
        await Expect(bobs.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeVisibleAsync();
        await Keep(page);

        // Someone else's click changes nothing and says why.
        await page.GetByText("Click as someone else").ClickAsync();
        await page.GetByLabel("Clicks on cards count as").SelectOptionAsync("dave@example.com");
        await bobs.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(bobs).ToContainTextAsync("This card is for Bob Brown; only they can answer it");
        await page.GetByLabel("Clicks on cards count as").SelectOptionAsync("");

        // Reject asks for a reason first.
        await bobs.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Expect(bobs).ToContainTextAsync("A reason is required to reject.");
        await Expect(bobs.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeVisibleAsync();

        await bobs.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(bobs).ToContainTextAsync("Approved by Bob Brown");
        await Expect(bobs.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);

        // Both finance people approve.
        foreach (var finance in new[] { "dave@example.com", "erin@example.com" })
        {
            await ChatAs(page, finance);
            var card = Entry(page, "Purchase of Laptop for 1500 EUR");
            await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        }

        await ChatAs(page, "alice@example.com");
        await Expect(Entry(page, $"{id} (Purchase request) is approved")).ToBeVisibleAsync();
    }

    [BrowserFact]
    public async Task What_one_person_does_shows_at_once_in_the_page_of_another()
    {
        var alice = await host.NewPage();
        await alice.GotoAsync("/playground#alice%40example.com");
        await Expect(alice.GetByLabel("Chat as")).ToHaveValueAsync("alice@example.com");
        var bob = await host.NewPage();
        await bob.GotoAsync("/playground#bob%40example.com");
        await Expect(bob.GetByLabel("Chat as")).ToHaveValueAsync("bob@example.com");

        await alice.GetByLabel("Message").FillAsync("start purchase amount=200 item=Chair");
        await alice.GetByLabel("Message").PressAsync("Enter");
        var started = Entry(alice, "Started purchase-");
        await Expect(started).ToBeVisibleAsync();
        var id = Regex.Match(await started.InnerTextAsync(), @"purchase-\d+").Value;

        var card = Entry(bob, "Purchase of Chair for 200 EUR");
        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Expect(Entry(alice, $"{id} (Purchase request) is approved")).ToBeVisibleAsync();
    }

    private static ILocator Entry(IPage page, string text) =>
        page.Locator("#transcript > li", new() { HasTextString = text }).Last;

    private static async Task ChatAs(IPage page, string email)
    {
        await page.GetByLabel("Chat as").SelectOptionAsync(email);
        await Expect(page.Locator("#transcript > li").First).ToBeVisibleAsync();
    }

    /// <summary>The playground mid-story, as README shows it: kept with the test's output, and where the setting says.</summary>
    private static async Task Keep(IPage page)
    {
        var shot = await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "playground.png"), FullPage = false });
        if (Environment.GetEnvironmentVariable(ScreenshotSetting) is { Length: > 0 } path) await File.WriteAllBytesAsync(path, shot);
    }
}
