using System.Net;
using Npgsql;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>The database out of reach: at start the host says why and exits; while running, requests get 503 and nothing half-written.</summary>
public sealed class PostgresOutageTests : IAsyncLifetime
{
    private SlackFake _slack = null!;

    public async Task InitializeAsync() => _slack = await StartSlack();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [SkippableFact]
    public async Task A_lost_connection_answers_Slack_503_records_nothing_and_work_resumes_when_it_returns()
    {
        var database = new NpgsqlConnectionStringBuilder(PostgresServer.NewDatabase());
        await using var cut = new TcpCut(database.Host!, database.Port);
        // Through the relay, without pooling of dead connections hiding the cut for long.
        var through = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = cut.Port, Timeout = 3, CommandTimeout = 5 };
        await using var host = TestHost.Start(_slack, settings: new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = through.ConnectionString,
            ["Audit:Key"] = "outage-test-key",
        });
        Assert.Equal(HttpStatusCode.OK, (await host.Command(_slack, Alice, "start purchase amount=100 item=Pen")).StatusCode);
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, TimeSpan.FromMinutes(2), "Bob's first card");

        cut.Cut();
        var refused = await host.Command(_slack, Alice, "start purchase amount=100 item=Ink", "while-cut");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        var ready = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("store postgres", await ready.Content.ReadAsStringAsync());

        cut.Restore();
        await Eventually.Until(async () => (await host.Client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "the store answering again");
        Assert.Equal(HttpStatusCode.OK, (await host.Command(_slack, Alice, "start purchase amount=100 item=Paper")).StatusCode);
        await _slack.WaitFor(s => s.Cards(Bob).Count == 2, TimeSpan.FromMinutes(2), "Bob's card for the paper");
        // The refused request left nothing: no Ink anywhere, two instances in all, nothing waiting in the inbox.
        Assert.Equal(2, host.Store.CountInstances());
        Assert.DoesNotContain(host.Store.ListInstances(null, null, null, 10), i => i.Inputs.Values.Contains("Ink"));
        Assert.Empty(_slack.ResponsesTo("while-cut"));
    }

    [SkippableFact]
    public async Task A_database_out_of_reach_at_start_stops_the_host_with_the_reason_and_no_password()
    {
        PostgresServer.NewDatabase(); // skips (or fails in CI) like the others when there is no PostgreSQL at all
        var (code, _, error) = await HostProcess.Run(
            new Dictionary<string, string?>
            {
                ["Storage__Provider"] = "postgres",
                ["Storage__ConnectionString"] = "Host=127.0.0.1;Port=1;Database=orchestrator;Username=bot;Password=s3cret-never-shown;Timeout=2",
                ["Audit__Key"] = "k",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            });

        Assert.NotEqual(0, code);
        Assert.Contains("Orchestrator cannot start", error);
        Assert.Contains("127.0.0.1:1/orchestrator", error);
        Assert.DoesNotContain("s3cret-never-shown", error);
    }
}
