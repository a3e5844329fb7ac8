using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Benchmarks;

/// <summary>The entry point; not top-level statements, whose <c>Program</c> would hide the host's own.</summary>
internal static class BenchmarkMain
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains(BareServer.Flag))
        {
            await BareServer.Run();
            return 0;
        }

        var quick = args.Contains("--quick");
        var jsonIndex = Array.IndexOf(args, "--json");
        var jsonPath = jsonIndex >= 0 && jsonIndex + 1 < args.Length ? args[jsonIndex + 1] : null;
        // --only decisions (or ack, tick, process, postgres): one scenario, e.g. to compare one figure before and after a change.
        var onlyIndex = Array.IndexOf(args, "--only");
        var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length ? args[onlyIndex + 1] : null;
        bool Runs(string scenario) => only is null || only == scenario;
        // --postgres <connection string> (or ORCHESTRATOR_TEST_POSTGRES): the PostgreSQL figures too, on that server.
        var pgIndex = Array.IndexOf(args, "--postgres");
        var postgres = pgIndex >= 0 && pgIndex + 1 < args.Length ? args[pgIndex + 1] : Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES");
        var folder = Path.Combine(Path.GetTempPath(), "orchestrator-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);

        // --quick keeps every figure but on smaller counts, so that it finishes in under two minutes on two cores.
        var counts = quick
            ? new { Clicks = 2_000, Decisions = 1_000, Open = new[] { 10_000 }, Repeats = 1 }
            : new { Clicks = 10_000, Decisions = 5_000, Open = new[] { 10_000, 100_000 }, Repeats = 3 };

        var figures = new List<Figure>();
        var total = Stopwatch.StartNew();
        try
        {
            if (Runs("ack"))
            {
                Console.Error.WriteLine("ack latency…");
                figures.AddRange(await AckScenario.Run(counts.Clicks, clients: 64, folder));
            }
            if (Runs("decisions"))
            {
                Console.Error.WriteLine("durable decisions…");
                figures.AddRange(DecisionScenario.Run(counts.Decisions, folder));
            }
            foreach (var open in Runs("tick") || Runs("process") ? counts.Open : [])
            {
                Console.Error.WriteLine($"scheduler tick, {open:N0} open…");
                var tick = TickScenario.Run(open, due: 1_000, folder).ToList();
                if (Runs("tick")) figures.AddRange(tick);
            }
            var largest = counts.Open.Max();
            if (Runs("process"))
            {
                Console.Error.WriteLine($"start-up and memory, {largest:N0} open…");
                figures.AddRange(await ProcessScenario.Run(TickScenario.PathFor(largest, folder), largest, counts.Repeats));
            }
            if (Runs("postgres"))
            {
                if (string.IsNullOrWhiteSpace(postgres))
                    Console.Error.WriteLine("postgres: skipped (no --postgres <connection string> and no ORCHESTRATOR_TEST_POSTGRES)");
                else
                {
                    Console.Error.WriteLine("postgres…");
                    figures.AddRange(PostgresScenario.Run(postgres, counts.Decisions, counts.Open.Max(), due: 1_000));
                }
            }
            if (Runs("tick") && counts.Open.Length > 1)
            {
                var ticks = figures.Where(f => f.Name.StartsWith("scheduler tick", StringComparison.Ordinal)).ToList();
                var ratio = ticks[^1].Value / ticks[0].Value;
                figures.Add(new Figure($"tick growth, {counts.Open[^1]:N0} vs {counts.Open[0]:N0} open", ratio, "×", null, "", "≤ 1.5×", ratio <= 1.5));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        Console.WriteLine($"{"figure",-48} {"value",12} {"ceiling",12} {"ratio",7}  goal");
        foreach (var f in figures)
        {
            var ratio = f.Ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + "×" : "-";
            Console.WriteLine($"{f.Name,-48} {Format(f.Value, f.Unit),12} {(f.Ceiling is { } c ? Format(c, f.Unit) : "-"),12} {ratio,7}  {f.Goal} {(f.Met ? "met" : "MISSED")}{(f.Note is null ? "" : $"  ({f.Note})")}");
        }
        Console.WriteLine($"{(quick ? "quick" : "full")} run in {total.Elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores");
        if (jsonPath is not null)
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new { quick, cores = Environment.ProcessorCount, figures }, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static string Format(double value, string unit) => $"{value.ToString("F1", CultureInfo.InvariantCulture)} {unit}";
}
