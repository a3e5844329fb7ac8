using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Host.Scheduling;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Scheduling;

public sealed class DigestTests : IAsyncLifetime
{
    // Monday 23 Nov 2026, 06:00 UTC: 07:00 in Berlin, 01:00 in New York.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
    private SlackFake _slack = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        var folder = Directory.CreateTempSubdirectory("orchestrator-digest").FullName;
        File.WriteAllText(Path.Combine(folder, "slow.yaml"), """
            id: slow
            name: Slow approval
            inputs:
              - { id: item, label: Item, type: text, required: true }
            steps:
              - id: manager
                title: "Slow {{item}}"
                assignees: manager
                due: 1h
            """);
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?> { ["Workflows:Path"] = folder }, time: _time);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Each_working_morning_in_their_own_zone_owners_get_one_summary_of_overdue_items_and_admins_one_of_everything_stuck()
    {
        await _host.Command(_slack, Alice, "start slow item=Chair");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        // The host paces posts into a channel by the (fake) clock at which it records a delivery: advancing the clock while
        // the card's delivery is still being recorded would put Bob's channel out of reach until the clock moves again.
        await Eventually.Until(() => _host.Store.AllOutbox().All(o => o.State == OutboxState.Delivered), "the card's delivery recorded", TimeSpan.FromSeconds(60));
        var digest = _host.Services.GetRequiredService<DigestJob>();

        _time.Advance(TimeSpan.FromHours(2)); // 08:00 UTC = 09:00 Berlin: overdue, Bob's morning
        Assert.Equal(1, digest.RunAt(_time.GetUtcNow()));
        await _slack.WaitFor(s => s.Dm(Bob).Any(m => m.AllText().Contains("overdue item(s) wait for you") && m.AllText().Contains("slow-1")), what: "Bob's digest");
        Assert.DoesNotContain(_slack.Dm(Carol), m => m.AllText().Contains("Stuck across"));

        Assert.Equal(0, digest.RunAt(_time.GetUtcNow()));

        _time.Advance(TimeSpan.FromHours(6)); // 14:00 UTC = 09:00 New York: Carol's morning
        Assert.Equal(1, digest.RunAt(_time.GetUtcNow()));
        await _slack.WaitFor(s => s.Dm(Carol).Any(m => m.AllText().Contains("Stuck across Orchestrator: 1 request(s)") && m.AllText().Contains("held by Bob Brown")), what: "the admin digest");
        Assert.Single(_slack.Dm(Bob), m => m.AllText().Contains("Good morning"));
    }
}
