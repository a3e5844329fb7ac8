using System.Diagnostics;
using LiteDB;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;
using Orchestrator.Host.Storage;

namespace Orchestrator.Benchmarks;

/// <summary>
/// Durable decisions per second: each an approve through the engine, committed alone (as a click is) with its audit
/// events and effects, on disk (synced) before it returns. The ceiling writes the same documents, of the same sizes, one
/// transaction per decision, with raw LiteDB on a file opened the same way (each commit synced too): what the file costs
/// with no workflow logic, JSON or revision check.
/// </summary>
internal static class DecisionScenario
{
    private const string Workflow = """
        id: bench
        name: Benchmark
        inputs:
          - { id: amount, label: Amount, type: number, required: true }
          - { id: purpose, label: Purpose, type: text, required: true }
        steps:
          - { id: manager, kind: approval, title: "Spend {{amount}} on {{purpose}}", assignees: manager, remind: 4h, due: 1d }
          - { id: order, kind: notify, title: "Order {{purpose}}", assignees: requester }
        """;

    private const string People = """
        people:
          - { email: req@example.com, name: Requester, manager: boss@example.com, timezone: UTC }
          - { email: boss@example.com, name: Boss, timezone: UTC }
        """;

    public static IEnumerable<Figure> Run(int count, string folder)
    {
        var path = Path.Combine(folder, "decisions.db");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var catalog = new Catalog();
        catalog.Replace(DefinitionLoader.Parse(Workflow, "bench.yaml").Definitions, DirectoryLoader.Parse(People, "directory.yaml").Directory, []);
        var inputs = new Dictionary<string, string> { ["amount"] = "120", ["purpose"] = "A monitor for the new starter" };

        double perSecond;
        (int Bytes, int Count)[] shape;
        using (var store = new LiteDbStore(path))
        {
            var engine = new WorkflowEngine(catalog, store, time);
            var targets = new List<(string Id, string Assignment)>(count);
            for (var done = 0; done < count; done += 500)
                store.Batch(() =>
                {
                    for (var i = done; i < Math.Min(count, done + 500); i++)
                    {
                        var instance = engine.Start("bench", inputs, "req@example.com", "api").Instance!;
                        targets.Add((instance.Id, instance.Steps[0].Assignments[0].Id));
                    }
                });
            time.Advance(TimeSpan.FromMinutes(5));
            var auditBefore = store.Database.GetCollection(AuditChain.Collection).Count();
            var outboxBefore = store.Database.GetCollection("outbox").Count();

            var watch = Stopwatch.StartNew();
            foreach (var (id, assignment) in targets)
            {
                var result = engine.Decide(id, assignment, "boss@example.com", Verdict.Approve, "fine", "slack");
                if (result.Outcome != DecideOutcome.Recorded) throw new InvalidOperationException($"{id}: {result.Message}");
            }
            watch.Stop();
            perSecond = count / watch.Elapsed.TotalSeconds;
            shape = Shape(store.Database, auditBefore, outboxBefore, count);
        }

        var ceiling = RawCeiling(Path.Combine(folder, "decisions-raw.db"), count, shape);
        yield return new Figure("durable decisions per second", perSecond, "/s", ceiling,
            $"raw LiteDB, synced per commit: {shape.Sum(s => s.Count)} docs ({shape.Sum(s => s.Bytes * s.Count)} B) per transaction", "≥ 0.5× ceiling",
            perSecond >= 0.5 * ceiling, $"{count:N0} approvals, each its own transaction");
    }

    /// <summary>What one decision writes: the instance (rewritten), and the audit events and outbox rows it added, by size.</summary>
    private static (int Bytes, int Count)[] Shape(LiteDatabase db, int auditBefore, int outboxBefore, int decisions)
    {
        static int Average(IEnumerable<BsonDocument> docs) => (int)docs.Average(d => BsonSerializer.Serialize(d).Length);
        var instances = db.GetCollection("instances").FindAll().Take(200).ToList();
        var audit = db.GetCollection(AuditChain.Collection).FindAll().Skip(auditBefore).Take(200).ToList();
        var outbox = db.GetCollection("outbox").FindAll().Skip(outboxBefore).Take(200).ToList();
        var auditPer = (int)Math.Round((double)(db.GetCollection(AuditChain.Collection).Count() - auditBefore) / decisions);
        var outboxPer = (int)Math.Round((double)(db.GetCollection("outbox").Count() - outboxBefore) / decisions);
        return [(Average(instances), 1), (audit.Count > 0 ? Average(audit) : 0, auditPer), (outbox.Count > 0 ? Average(outbox) : 0, outboxPer)];
    }

    private static double RawCeiling(string path, int count, (int Bytes, int Count)[] shape)
    {
        using var db = DurableEngine.Open(path);
        var main = db.GetCollection("main");
        var extra = db.GetCollection("extra", BsonAutoId.Int64);
        var filler = new string('x', shape[0].Bytes);
        for (var done = 0; done < count; done += 500)
        {
            db.BeginTrans();
            for (var i = done; i < Math.Min(count, done + 500); i++) main.Insert(new BsonDocument { ["_id"] = $"doc-{i}", ["revision"] = 1, ["body"] = filler });
            db.Commit();
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            db.BeginTrans();
            main.Upsert(new BsonDocument { ["_id"] = $"doc-{i}", ["revision"] = 2, ["body"] = filler });
            foreach (var (bytes, n) in shape.Skip(1))
                for (var k = 0; k < n; k++) extra.Insert(new BsonDocument { ["body"] = new string('y', Math.Max(0, bytes - 40)) });
            db.Commit();
        }
        return count / watch.Elapsed.TotalSeconds;
    }
}
