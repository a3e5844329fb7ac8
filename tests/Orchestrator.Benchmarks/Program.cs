using System.Globalization;
using System.Text.Json;
using Orchestrator.Benchmarks;

var quick = args.Contains("--quick");
var jsonIndex = Array.IndexOf(args, "--json");
var jsonPath = jsonIndex >= 0 && jsonIndex + 1 < args.Length ? args[jsonIndex + 1] : null;
var folder = Path.Combine(Path.GetTempPath(), "orchestrator-bench", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(folder);

var figures = new List<Figure>();
try
{
    figures.AddRange(TickScenario.Run(open: 10_000, due: 1_000, folder));
    if (!quick) figures.AddRange(TickScenario.Run(open: 100_000, due: 1_000, folder));
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
if (jsonPath is not null)
    await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }));
return 0;

static string Format(double value, string unit) => $"{value.ToString("F1", CultureInfo.InvariantCulture)} {unit}";
