using System.Globalization;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;
using Orchestrator.Core.Simulation;
using Orchestrator.Host.Hosting;

namespace Orchestrator.Host.Cli;

/// <summary>
/// <c>simulate &lt;workflow&gt;</c>: the timeline a definition would produce on a simulated clock (cards, nudges, deadlines,
/// handoffs, who holds the step when), so an admin can check a policy before deploying it.
/// </summary>
internal static class SimulateCommand
{
    public const string Usage =
        "usage: simulate <workflow> [--inputs field=value …] [--answer never|after=<duration>] [--requester email]\n" +
        "                [--workflows folder] [--directory file] [--start 2026-03-02T09:00Z] [--horizon 30d]";

    private const int BadInput = 2;

    private sealed record Options(
        string Workflow,
        Dictionary<string, string> Inputs,
        AnswerPolicy Answers,
        string Requester,
        string Workflows,
        string Directory,
        DateTimeOffset? Start,
        TimeSpan Horizon);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, TimeProvider time)
    {
        if (!TryParse(args, out var options, out var problem))
            return Fail(error, problem);

        var folder = PathResolver.Resolve(options.Workflows);
        if (!System.IO.Directory.Exists(folder)) return Fail(error, $"{folder}: folder not found", usage: false);
        var loaded = DefinitionLoader.LoadFolder(folder);
        var definition = loaded.Definitions.FirstOrDefault(d => string.Equals(d.Id, options.Workflow, StringComparison.OrdinalIgnoreCase));
        if (definition is null)
        {
            var ids = CommandParser.RankByCloseness(options.Workflow, loaded.Definitions.Select(d => d.Id));
            var valid = ids.Count == 0 ? $"there are none in {folder}" : $"valid workflows: {string.Join(", ", ids)}";
            var broken = loaded.Errors.Count == 0 ? "" : $" ({loaded.Errors.Count} errors in {folder}; run validate to see them)";
            return Fail(error, $"unknown workflow '{options.Workflow}'; {valid}{broken}", usage: false);
        }

        var directoryPath = PathResolver.Resolve(options.Directory);
        var directory = DirectoryLoader.Load(directoryPath);
        if (!directory.IsValid)
            return Fail(error, string.Join("\n", directory.Errors), usage: false);
        var people = directory.Directory;
        if (people.Find(options.Requester) is null)
            return Fail(error, $"requester {options.Requester} is not in {directoryPath}; pick one with --requester", usage: false);

        // Whole minutes: a timeline that starts at 08:50:37.123 reads worse and shows nothing more.
        var now = time.GetUtcNow();
        var start = options.Start ?? new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var result = Simulator.Run(definition, people, options.Inputs, options.Requester, options.Answers, start, options.Horizon);
        if (!result.Started)
        {
            foreach (var e in result.Start.Errors ?? []) error.WriteLine($"input {e.Field}: {e.Message}");
            foreach (var m in result.Start.Missing ?? []) error.WriteLine($"input {m.Id}: missing; {m.Label} is required (--inputs {m.Id}=…)");
            error.WriteLine(Usage);
            return BadInput;
        }

        Print(output, definition, people, options, start, result);
        return 0;
    }

    private static bool TryParse(IReadOnlyList<string> args, out Options options, out string problem)
    {
        options = null!;
        problem = "";
        string? workflow = null;
        var inputs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var answers = AnswerPolicy.Never;
        var requester = "alice@example.com";
        var workflows = "manifests/workflows";
        var directory = "manifests/directory.yaml";
        DateTimeOffset? start = null;
        var horizon = Simulator.DefaultHorizon;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--inputs")
            {
                for (; i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal); i++)
                {
                    var pair = args[i + 1];
                    var eq = pair.IndexOf('=');
                    if (eq <= 0)
                    {
                        problem = $"'{pair}' is not field=value";
                        return false;
                    }
                    if (!inputs.TryAdd(pair[..eq].Trim(), pair[(eq + 1)..]))
                    {
                        problem = $"the input '{pair[..eq].Trim()}' is given twice";
                        return false;
                    }
                }
                continue;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    problem = $"{arg} needs a value";
                    return false;
                }
                var value = args[++i];
                switch (arg)
                {
                    case "--answer":
                        if (!AnswerPolicy.TryParse(value, out answers, out problem)) return false;
                        break;
                    case "--requester":
                        requester = value.Trim().ToLowerInvariant();
                        break;
                    case "--workflows":
                        workflows = value;
                        break;
                    case "--directory":
                        directory = value;
                        break;
                    case "--start":
                        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
                        {
                            problem = $"'{value}' is not a start time; write it like 2026-03-02T09:00Z";
                            return false;
                        }
                        start = at;
                        break;
                    case "--horizon":
                        if (!Durations.TryParse(value, out horizon))
                        {
                            problem = $"'{value}' is not a duration; write it like 30s, 15m, 4h, 2d or 1w";
                            return false;
                        }
                        break;
                    default:
                        problem = $"unknown option {arg}";
                        return false;
                }
                continue;
            }
            if (workflow is not null)
            {
                problem = $"unexpected '{arg}' (inputs go after --inputs)";
                return false;
            }
            workflow = arg;
        }

        if (workflow is null)
        {
            problem = "simulate needs the id of a workflow";
            return false;
        }
        options = new Options(workflow, inputs, answers, requester, workflows, directory, start, horizon);
        return true;
    }

    private static void Print(TextWriter output, WorkflowDefinition definition, PeopleDirectory people, Options options, DateTimeOffset start, SimulationResult result)
    {
        var inputs = result.Start.Instance!.Inputs.Select(p => $"{p.Key}={p.Value}");
        output.WriteLine($"Dry run of {definition.Id} ({definition.Name}) for {people.NameOf(options.Requester)}; inputs: {string.Join(", ", inputs)}; answers: {options.Answers}");
        output.WriteLine($"From {TimeText.Format(start, TimeZoneInfo.Utc)}, horizon {Durations.Format(options.Horizon)}; business hours: {definition.BusinessHours?.Source ?? "any time"}");
        output.WriteLine();

        string[] header = ["UTC", "Holder's time", "Held by", "What"];
        var rows = result.Timeline.Select(e => new[]
        {
            e.At.ToUniversalTime().ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture),
            string.Join(", ", e.Holders.Select(h => people.ZoneOf(h)).Distinct().Select(z => TimeText.Format(e.At, z))),
            string.Join(", ", e.Holders.Select(people.NameOf)),
            e.What,
        }).ToList();
        var widths = header.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Line(header, widths));
        output.WriteLine(Line(widths.Select(w => new string('-', w)).ToArray(), widths));
        foreach (var row in rows) output.WriteLine(Line(row, widths));
        output.WriteLine();

        var last = result.Timeline[^1].At;
        output.WriteLine(result.End switch
        {
            SimulationEnd.Completed => $"Completed after {Elapsed(last - start)}.",
            SimulationEnd.Rejected => $"Rejected after {Elapsed(last - start)}.",
            SimulationEnd.Cancelled => $"Cancelled after {Elapsed(last - start)}.",
            SimulationEnd.WaitsForever => $"Still open after {Elapsed(last - start)}, and nothing more is scheduled.",
            _ => $"Still open when the horizon of {Durations.Format(options.Horizon)} ran out.",
        });
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    private static string Elapsed(TimeSpan t) =>
        t.TotalDays >= 1 ? $"{(int)t.TotalDays}d {t.Hours}h" : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h {t.Minutes}m" : $"{(int)t.TotalMinutes}m";

    private static int Fail(TextWriter error, string message, bool usage = true)
    {
        error.WriteLine(message);
        if (usage) error.WriteLine(Usage);
        return BadInput;
    }
}
