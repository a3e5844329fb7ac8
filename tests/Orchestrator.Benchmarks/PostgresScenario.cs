using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;
using Orchestrator.Host.Scheduling;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Storage.Postgres;

namespace Orchestrator.Benchmarks;

/// <summary>
/// The PostgreSQL provider on a real server (<c>--postgres &lt;connection string&gt;</c> or ORCHESTRATOR_TEST_POSTGRES; the
/// server should run with <c>synchronous_commit = on</c>, its default): durable decisions per second against raw Npgsql
/// single-row upserts with the same durability, one tick with 1,000 due, and two hosts (two stores on two threads)
/// against one on the same database. Each run uses fresh databases it drops afterwards.
/// </summary>
internal static class PostgresScenario
{
    private const string Workflow = """
        id: bench
        name: Benchmark
        inputs:
          - { id: amount, label: Amount, type: number, required: true }
          - { id: purpose, label: Purpose, type: text, required: true }
        steps:
          - { id: manager, kind: approval, title: "Spend {{amount}} on {{purpose}}", assignees: manager, remind: 1h, due: 1w }
          - { id: order, kind: notify, title: "Order {{purpose}}", assignees: requester }
        """;

    private const string People = """
        people:
          - { email: req@example.com, name: Requester, manager: boss@example.com, timezone: UTC }
          - { email: boss@example.com, name: Boss, timezone: UTC }
        """;

    private static readonly Dictionary<string, string> Inputs = new() { ["amount"] = "120", ["purpose"] = "A monitor for the new starter" };
    private static readonly byte[] AuditKey = "benchmark-audit-key"u8.ToArray();

    public static IEnumerable<Figure> Run(string server, int decisions, int open, int due)
    {
        var figures = new List<Figure>();
        var (one, shape) = Decisions(server, decisions, hosts: 1);
        var ceiling = RawUpserts(server, decisions, shape);
        figures.Add(new Figure("postgres: durable decisions per second", one, "/s", ceiling,
            $"raw Npgsql single-row upsert + {shape.Extra} inserts per transaction, synchronous_commit on", "≥ 0.5× ceiling", one >= 0.5 * ceiling,
            $"{decisions:N0} approvals, each its own transaction"));
        var (two, _) = Decisions(server, decisions, hosts: 2);
        figures.Add(new Figure("postgres: two hosts' decisions per second", two, "/s", one, "one host on the same database", "≥ 1.3× one host",
            two >= 1.3 * one, $"{decisions:N0} approvals split over two stores on two threads"));
        figures.Add(Tick(server, open, due));
        return figures;
    }

    private static Catalog Catalog()
    {
        var catalog = new Catalog();
        catalog.Replace(DefinitionLoader.Parse(Workflow, "bench.yaml").Definitions, DirectoryLoader.Parse(People, "directory.yaml").Directory, []);
        return catalog;
    }

    private static (double PerSecond, (int Bytes, int Extra) Shape) Decisions(string server, int count, int hosts)
    {
        using var database = new ScratchDatabase(server);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var catalog = Catalog();
        var stores = Enumerable.Range(0, hosts).Select(_ => PostgresStorage.Open(database.ConnectionString, time, NullLogger.Instance, AuditKey)).ToList();
        try
        {
            var engines = stores.Select(s => new WorkflowEngine(catalog, s, time)).ToList();
            var targets = new List<(string Id, string Assignment)>(count);
            for (var done = 0; done < count; done += 500)
                stores[0].Batch(() =>
                {
                    for (var i = done; i < Math.Min(count, done + 500); i++)
                    {
                        var instance = engines[0].Start("bench", Inputs, "req@example.com", "api").Instance!;
                        targets.Add((instance.Id, instance.Steps[0].Assignments[0].Id));
                    }
                });
            time.Advance(TimeSpan.FromMinutes(5));
            var outboxBefore = stores[0].AllOutbox().Count;

            var watch = Stopwatch.StartNew();
            Parallel.For(0, hosts, new ParallelOptions { MaxDegreeOfParallelism = hosts }, h =>
            {
                for (var i = h; i < targets.Count; i += hosts)
                {
                    var (id, assignment) = targets[i];
                    var result = engines[h].Decide(id, assignment, "boss@example.com", Verdict.Approve, "fine", "slack");
                    if (result.Outcome != DecideOutcome.Recorded) throw new InvalidOperationException($"{id}: {result.Message}");
                }
            });
            watch.Stop();
            var extra = (int)Math.Round((double)(stores[0].AllOutbox().Count - outboxBefore) / count) + 2; // outbox rows + audit events
            var bytes = (int)database.Scalar("SELECT coalesce(avg(octet_length(doc::text)), 0)::int FROM instances");
            return (count / watch.Elapsed.TotalSeconds, (bytes, extra));
        }
        finally
        {
            foreach (var store in stores) store.Dispose();
        }
    }

    /// <summary>The same durability with nothing but Npgsql: one upsert of a document that size and the same number of small inserts per transaction.</summary>
    private static double RawUpserts(string server, int count, (int Bytes, int Extra) shape)
    {
        using var database = new ScratchDatabase(server);
        using var connection = new NpgsqlConnection(database.ConnectionString);
        connection.Open();
        using (var create = new NpgsqlCommand("CREATE TABLE main (id text PRIMARY KEY, revision int, doc jsonb); CREATE TABLE extra (id bigserial PRIMARY KEY, body text)", connection))
            create.ExecuteNonQuery();
        var doc = $"{{\"body\": \"{new string('x', Math.Max(0, shape.Bytes - 12))}\"}}";
        using (var seed = new NpgsqlCommand("INSERT INTO main SELECT 'doc-' || g, 1, @doc::jsonb FROM generate_series(0, @n) g", connection))
        {
            seed.Parameters.AddWithValue("doc", doc);
            seed.Parameters.AddWithValue("n", count);
            seed.ExecuteNonQuery();
        }
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            using var tx = connection.BeginTransaction();
            using (var upsert = new NpgsqlCommand("INSERT INTO main VALUES (@id, 2, @doc::jsonb) ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, doc = excluded.doc", connection, tx))
            {
                upsert.Parameters.AddWithValue("id", $"doc-{i}");
                upsert.Parameters.AddWithValue("doc", doc);
                upsert.ExecuteNonQuery();
            }
            for (var k = 0; k < shape.Extra; k++)
            {
                using var insert = new NpgsqlCommand("INSERT INTO extra (body) VALUES (@b)", connection, tx);
                insert.Parameters.AddWithValue("b", new string('y', 300));
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return count / watch.Elapsed.TotalSeconds;
    }

    private static Figure Tick(string server, int open, int due)
    {
        using var database = new ScratchDatabase(server);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        using var store = PostgresStorage.Open(database.ConnectionString, time, NullLogger.Instance, AuditKey);
        var engine = new WorkflowEngine(Catalog(), store, time);
        var seed = Stopwatch.StartNew();
        Seed(store, engine, due);
        time.Advance(TimeSpan.FromMinutes(30));
        Seed(store, engine, open - due);
        time.Advance(TimeSpan.FromMinutes(31));
        seed.Stop();

        var tick = new SchedulerTick(store, store, engine, time, NullLogger<SchedulerTick>.Instance);
        var watch = Stopwatch.StartNew();
        var (instances, nudges, _) = tick.RunAt(time.GetUtcNow());
        watch.Stop();
        if (instances != due || nudges != due) throw new InvalidOperationException($"tick processed {instances} instances and {nudges} nudges, expected {due}");

        // The floor: read those rows through the same index and write each back, in one transaction.
        var floor = Stopwatch.StartNew();
        database.Execute($"UPDATE instances SET revision = revision + 1 WHERE id IN (SELECT id FROM instances WHERE due IS NOT NULL ORDER BY due LIMIT {due})");
        floor.Stop();
        return new Figure($"postgres: tick, {due:N0} due of {open:N0} open", watch.Elapsed.TotalMilliseconds, "ms", floor.Elapsed.TotalMilliseconds,
            "one UPDATE of the same rows through the same index", "≤ 500 ms", watch.Elapsed.TotalMilliseconds <= 500, $"seeded in {seed.Elapsed.TotalSeconds:F1} s");
    }

    private static void Seed(IInstances store, WorkflowEngine engine, int count)
    {
        for (var done = 0; done < count; done += 500)
            store.Batch(() =>
            {
                for (var i = done; i < Math.Min(count, done + 500); i++) engine.Start("bench", Inputs, "req@example.com", "api");
            });
    }

    /// <summary>A database made for one measurement and dropped after it.</summary>
    private sealed class ScratchDatabase : IDisposable
    {
        private readonly string _server;
        private readonly string _name = $"bench_{Guid.NewGuid():N}";

        public ScratchDatabase(string server)
        {
            _server = server;
            Execute(server, $"CREATE DATABASE {_name}");
            ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _name }.ConnectionString;
        }

        public string ConnectionString { get; }

        public void Execute(string sql) => Execute(ConnectionString, sql);

        public object Scalar(string sql)
        {
            using var connection = new NpgsqlConnection(ConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            return command.ExecuteScalar()!;
        }

        private static void Execute(string connectionString, string sql)
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }

        public void Dispose()
        {
            NpgsqlConnection.ClearAllPools();
            Execute(_server, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
        }
    }
}
