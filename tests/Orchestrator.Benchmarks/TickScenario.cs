using System.Diagnostics;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;
using Orchestrator.Host.Scheduling;
using Orchestrator.Host.Storage;

namespace Orchestrator.Benchmarks;

/// <summary>
/// One scheduler tick with 1,000 reminders due among many open instances, on a real LiteDB file. The ceiling is the
/// same file's cost to read and rewrite those 1,000 documents in one transaction, with no workflow logic at all.
/// </summary>
internal static class TickScenario
{
    private const string Workflow = """
        id: bench
        name: Benchmark
        inputs:
          - { id: amount, label: Amount, type: number, required: true }
        steps:
          - { id: manager, kind: approval, title: "Spend {{amount}}", assignees: manager, remind: 1h, due: 1w }
        """;

    private const string People = """
        people:
          - { email: req@example.com, name: Requester, manager: boss@example.com, timezone: UTC }
          - { email: boss@example.com, name: Boss, timezone: UTC }
        """;

    public static IEnumerable<Figure> Run(int open, int due, string folder)
    {
        var path = PathFor(open, folder);
        using var store = new LiteDbStore(path);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var catalog = new Catalog();
        catalog.Replace(DefinitionLoader.Parse(Workflow, "bench.yaml").Definitions, DirectoryLoader.Parse(People, "directory.yaml").Directory, []);
        var engine = new WorkflowEngine(catalog, store, time);
        var inputs = new Dictionary<string, string> { ["amount"] = "5" };

        var seed = Stopwatch.StartNew();
        Seed(store, engine, inputs, due);
        time.Advance(TimeSpan.FromMinutes(30));
        Seed(store, engine, inputs, open - due);
        time.Advance(TimeSpan.FromMinutes(31)); // the first ones' reminders (1h) are due, the rest not yet
        seed.Stop();

        var tick = new SchedulerTick(store, store, engine, time, NullLogger<SchedulerTick>.Instance);
        var watch = Stopwatch.StartNew();
        var (instances, nudges, _) = tick.RunAt(time.GetUtcNow());
        watch.Stop();
        if (instances != due || nudges != due) throw new InvalidOperationException($"tick processed {instances} instances and {nudges} nudges, expected {due}");

        var ceiling = RewriteCeiling(store, due);
        yield return new Figure($"scheduler tick, {due:N0} due of {open:N0} open", watch.Elapsed.TotalMilliseconds, "ms",
            ceiling, "LiteDB read + rewrite of the same documents, one transaction", Goal: "≤ 100 ms", Met: watch.Elapsed.TotalMilliseconds <= 100,
            Note: $"seeded in {seed.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The file a run leaves behind, holding <c>open</c> open instances (the process scenario starts the host on it).</summary>
    public static string PathFor(int open, string folder) => Path.Combine(folder, $"tick-{open}.db");

    private static void Seed(LiteDbStore store, WorkflowEngine engine, Dictionary<string, string> inputs, int count)
    {
        for (var done = 0; done < count; done += 500)
        {
            store.Batch(() =>
            {
                for (var i = done; i < Math.Min(count, done + 500); i++)
                    engine.Start("bench", inputs, "req@example.com", "api");
            });
        }
    }

    /// <summary>The file's floor for this tick: find that many documents through the same index and write each back, in one transaction.</summary>
    private static double RewriteCeiling(LiteDbStore store, int count)
    {
        var instances = store.Database.GetCollection("instances");
        var watch = Stopwatch.StartNew();
        store.Batch(() =>
        {
            foreach (var doc in instances.Find(Query.Not("due", BsonValue.Null), limit: count).ToList())
            {
                doc["revision"] = doc["revision"].AsInt32 + 1;
                instances.Update(doc);
            }
        });
        return watch.Elapsed.TotalMilliseconds;
    }
}
