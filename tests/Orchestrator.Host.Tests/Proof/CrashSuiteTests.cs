using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using Xunit.Abstractions;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Proof;

/// <summary>
/// The host as its own process, fed a stream of requests and clicks, killed with SIGKILL at seeded-random moments ten
/// times and restarted on the same file each time. Whatever it acknowledged must be there in the end, nothing may reach
/// Slack twice, and the audit chain must verify.
/// </summary>
public sealed class CrashSuiteTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Kills = 10;
    private const string AuditKeyText = "crash-suite-audit-key";
    private readonly string _dbPath = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"crash-{Guid.NewGuid():N}.db");
    private SlackFake _slack = null!;

    public async Task InitializeAsync() => _slack = await StartSlack();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [SkippableTheory]
    [InlineData(20260307, "litedb")]
    [InlineData(20260307, "postgres")]
    public async Task Every_acknowledged_decision_survives_ten_SIGKILLs_and_nothing_reaches_Slack_twice(int seed, string provider)
    {
        // On PostgreSQL a killed host's claims come free after the lease (LiteDB's restart takes them back at once).
        var database = provider == "postgres" ? PostgresServer.NewDatabase() : null;
        var settings = database is null ? null : new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = database,
            ["Audit:Key"] = AuditKeyText,
            ["Delivery:Lease"] = "00:00:02",
        };
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        var acknowledged = new ConcurrentDictionary<string, string>(); // button value -> the card's ts
        var started = 0;
        var startsAcknowledged = 0;

        for (var life = 0; life < Kills; life++)
        {
            await using var host = await ChildHost.Start(_slack, _dbPath, settings);
            // Every other life, Slack takes one post but answers too late: the host dies not knowing it landed.
            if (random.Next(2) == 0) _slack.AnswerLate("chat.postMessage", TimeSpan.FromMinutes(2));
            // The kill comes after this life has acknowledged a few requests (at least one click), then a random moment
            // later: tied to what the host did, not to the wall clock, so a slow machine shifts it without emptying it.
            var goal = random.Next(1, 6);
            var killDelay = TimeSpan.FromMilliseconds(random.Next(0, 400));
            var progress = new LifeProgress();
            using var stop = new CancellationTokenSource();
            var streamSeed = random.Next();
            var stream = Stream(host, new Random(streamSeed), acknowledged, progress, () => Interlocked.Increment(ref started), () => Interlocked.Increment(ref startsAcknowledged), stop.Token);
            await Until(() => progress.Clicks >= 1 && progress.Acknowledged >= goal || stream.IsCompleted, TimeSpan.FromMinutes(3));
            Assert.False(stream.IsCompleted && !(progress.Clicks >= 1 && progress.Acknowledged >= goal),
                $"life {life}: the stream stopped before the host acknowledged {goal} requests and a click:\n{host.Output}");
            Assert.True(progress.Clicks >= 1 && progress.Acknowledged >= goal,
                $"life {life}: the host acknowledged {progress.Acknowledged} requests and {progress.Clicks} clicks within 3 minutes:\n{host.Output}");
            await Task.Delay(killDelay);
            await host.Kill();
            await stop.CancelAsync();
            await stream;
            output.WriteLine($"life {life}: killed {killDelay.TotalMilliseconds:F0} ms after {progress.Acknowledged} acknowledgements; {acknowledged.Count} clicks acknowledged so far");
        }

        // The last life is left alone until everything pending has gone out.
        await using (var last = await ChildHost.Start(_slack, _dbPath, settings))
        {
            await _slack.WaitFor(s => acknowledged.Values.All(ts => Closed(s, ts)), TimeSpan.FromMinutes(3), "every acknowledged click's card closed");
            await Task.Delay(500); // a doubled post would arrive within the outbox's sweep; give it the chance to show
            await last.Kill();
        }

        using (var store = database is null ? StoreProviders.OpenLiteDb(_dbPath) : StoreProviders.OpenPostgres(database, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, AuditKey.Bytes(AuditKeyText)))
        {
            foreach (var value in acknowledged.Keys)
            {
                var (instanceId, assignmentId) = Split(value);
                var instance = store.Get(instanceId);
                Assert.NotNull(instance);
                var found = instance.FindAssignment(assignmentId);
                Assert.True(found is { Assignment.Decision: not null }, $"the acknowledged approval of {value} is not in the store");
            }
            Assert.Empty(store.UnprocessedInbound());
            // Each acknowledged start made exactly one request; one sent as the host died may or may not have.
            Assert.InRange(store.CountInstances(), startsAcknowledged, started);
            Assert.DoesNotContain(store.AllOutbox(), o => o.State == OutboxState.Failed);
            var audit = store.VerifyAudit(database is null ? null : AuditKey.Bytes(AuditKeyText));
            Assert.True(audit.Problems.Count == 0, string.Join('\n', audit.Problems));
        }

        var keys = _slack.Messages.Select(m => (string?)m.Metadata?["event_payload"]?["key"]).ToList();
        Assert.All(keys, k => Assert.NotNull(k));
        var doubled = keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(doubled.Count == 0, $"posted more than once: {string.Join(", ", doubled)}");

        var (code, stdout, stderr) = database is null
            ? await HostProcess.Run("audit", "verify", "--db", _dbPath)
            : await HostProcess.Run(new Dictionary<string, string?> { ["Storage__Provider"] = "postgres", ["Storage__ConnectionString"] = database, ["Audit__Key"] = AuditKeyText }, "audit", "verify");
        Assert.True(code == 0, stdout + stderr);
        output.WriteLine($"{started} requests started, {acknowledged.Count} decisions acknowledged, {keys.Count} messages, in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(acknowledged.Count >= Kills, $"only {acknowledged.Count} clicks were acknowledged: the stream did not reach the host");
    }

    /// <summary>Alice starts requests and Bob approves whatever card of his is still open, until the host dies.</summary>
    private async Task Stream(
        ChildHost host, Random random, ConcurrentDictionary<string, string> acknowledged, LifeProgress progress, Func<int> counted, Action startAcknowledged, CancellationToken stop)
    {
        var clicked = new HashSet<string>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (random.Next(3) == 0)
                {
                    var n = counted();
                    using var start = await host.Command(_slack, Alice, $"start purchase amount={random.Next(1, 900)} item=\"Thing {n}\"");
                    if (start.StatusCode == HttpStatusCode.OK)
                    {
                        startAcknowledged();
                        Interlocked.Increment(ref progress.Acknowledged);
                    }
                }
                foreach (var card in _slack.Cards(Bob).Where(c => c.Buttons().Any(b => (string?)b["action_id"] == "approve")))
                {
                    var value = card.ButtonValue("approve");
                    // Now and then the same card is clicked again, as an impatient approver does.
                    if (!clicked.Add(value) && random.Next(4) != 0) continue;
                    using var response = await host.Click(_slack, Bob, "approve", value);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref progress.Acknowledged);
                        // Only a first acknowledgement of a card counts as a click of this life: a repeat adds nothing to prove.
                        if (acknowledged.TryAdd(value, card.Ts)) Interlocked.Increment(ref progress.Clicks);
                    }
                    if (stop.IsCancellationRequested) break;
                }
                await Task.Delay(random.Next(5, 40), CancellationToken.None);
            }
            catch (HttpRequestException)
            {
                return; // the host is gone: nothing it did not answer counts
            }
            catch (TaskCanceledException)
            {
                return;
            }
        }
    }

    private sealed class LifeProgress
    {
        public int Acknowledged;
        public int Clicks;
    }

    private static async Task Until(Func<bool> condition, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < limit) await Task.Delay(20);
    }

    private static bool Closed(SlackFake slack, string ts) =>
        slack.Message(slack.DirectChannelOf(Bob), ts) is { } card && !card.Buttons().Any();

    private static (string InstanceId, string AssignmentId) Split(string value)
    {
        var parts = value.Split('|');
        return (parts[0], parts[1]);
    }
}
