using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Observability;

/// <summary>/metrics in Prometheus format, its counters moving as a request goes through Slack.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private TestHost _host = null!;

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
    public async Task The_counters_move_as_a_request_is_started_decided_and_delivered()
    {
        // Other tests in this process count into the same registry, so only growth is asserted.
        var before = await Scrape();
        await _host.Command(_slack, Alice, "start purchase amount=50 item=Pens");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("is approved")), what: "Alice told");
        var after = await Scrape();

        Assert.True(Value(after, "orchestrator_requests_started_total", "workflow=\"purchase\"") >= Value(before, "orchestrator_requests_started_total", "workflow=\"purchase\"") + 1);
        Assert.True(Value(after, "orchestrator_decisions_total", "verdict=\"approve\"") >= Value(before, "orchestrator_decisions_total", "verdict=\"approve\"") + 1);
        Assert.True(Value(after, "orchestrator_time_to_decision_seconds_count", "workflow=\"purchase\"") >= Value(before, "orchestrator_time_to_decision_seconds_count", "workflow=\"purchase\"") + 1);
        Assert.True(Value(after, "orchestrator_deliveries_total", "kind=\"effect\"") >= Value(before, "orchestrator_deliveries_total", "kind=\"effect\"") + 3);
        foreach (var name in new[] { "orchestrator_nudges_total", "orchestrator_escalations_total", "orchestrator_delivery_failures_total" })
            Assert.Contains($"# TYPE {name} counter", after);
    }

    private async Task<string> Scrape()
    {
        var response = await _host.Client.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of a metric's samples whose labels contain <paramref name="label"/> (0 when none yet).</summary>
    private static double Value(string scrape, string name, string label) =>
        Regex.Matches(scrape, $@"^{Regex.Escape(name)}\{{(?<labels>[^}}]*)\}} (?<value>\S+)$", RegexOptions.Multiline)
            .Where(m => m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
}
