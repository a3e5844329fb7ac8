using System.CommandLine;
using System.Globalization;
using Orchestrator.Core.Commands;
using Command = System.CommandLine.Command;
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
    public static readonly string[] Examples =
    [
        "simulate purchase --inputs amount=1500 item=Desk --answer never",
        "simulate purchase --inputs amount=1500 item=Desk --answer after=6h --start 2026-03-02T08:00Z",
    ];

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

    public static Command Create()
    {
        var workflow = new Argument<string?>("workflow") { Description = "the id of the workflow to play", Arity = ArgumentArity.ZeroOrOne };
        var inputs = new Option<string[]>("--inputs")
        {
            Description = "the request's inputs, e.g. amount=1500 item=Desk",
            HelpName = "field=value",
            AllowMultipleArgumentsPerToken = true,
        };
        var answer = new Option<string>("--answer") { Description = "owners answer never, or each approves a fixed time after getting the card [default: never]", HelpName = "never|after=<duration>" };
        var requester = new Option<string>("--requester") { Description = "who starts it [default: alice@example.com]", HelpName = "email" };
        var workflows = new Option<string>("--workflows") { Description = $"the folder of definitions [default: {new WorkflowsOptions().Path}]", HelpName = "folder" };
        var directory = new Option<string>("--directory") { Description = $"the people file [default: {new DirectoryOptions().Path}]", HelpName = "file" };
        var start = new Option<string>("--start") { Description = "when the request starts, in UTC [default: now]", HelpName = "2026-03-02T09:00Z" };
        var horizon = new Option<string>("--horizon") { Description = $"how far to play [default: {Durations.Format(Simulator.DefaultHorizon)}]", HelpName = "duration" };
        var command = new Command("simulate", "Plays one request on a simulated clock and prints its timeline: cards, nudges, deadlines, handoffs.")
        {
            workflow, inputs, answer, requester, workflows, directory, start, horizon,
        };
        command.SetAction(r =>
        {
            var error = r.InvocationConfiguration.Error;
            if (!TryParse(r.GetValue(workflow), r.GetValue(inputs) ?? [], r.GetValue(answer), r.GetValue(requester), r.GetValue(workflows),
                    r.GetValue(directory), r.GetValue(start), r.GetValue(horizon), out var options, out var problem))
                return Fail(error, problem);
            return Run(options, r.InvocationConfiguration.Output, error, TimeProvider.System);
        });
        return command;
    }

    private static int Run(Options options, TextWriter output, TextWriter error, TimeProvider time)
    {
        var folder = options.Workflows;
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

        var directoryPath = options.Directory;
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
            error.WriteLine($"usage: {CliCommands.Synopses(Create(), "").Single()}");
            return BadInput;
        }

        Print(output, definition, people, options, start, result);
        return 0;
    }

    private static bool TryParse(
        string? workflow, string[] pairs, string? answer, string? requester, string? workflows, string? directory, string? start, string? horizon,
        out Options options, out string problem)
    {
        options = null!;
        problem = "";
        var inputs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
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
        var answers = AnswerPolicy.Never;
        if (answer is not null && !AnswerPolicy.TryParse(answer, out answers, out problem)) return false;
        DateTimeOffset? at = null;
        if (start is not null)
        {
            if (!DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                problem = $"'{start}' is not a start time; write it like 2026-03-02T09:00Z";
                return false;
            }
            at = parsed;
        }
        var until = Simulator.DefaultHorizon;
        if (horizon is not null && !Durations.TryParse(horizon, out until))
        {
            problem = $"'{horizon}' is not a duration; write it like 30s, 15m, 4h, 2d or 1w";
            return false;
        }
        if (workflow is null)
        {
            problem = "simulate needs the id of a workflow";
            return false;
        }
        options = new Options(
            workflow, inputs, answers, requester?.Trim().ToLowerInvariant() ?? "alice@example.com",
            workflows is null ? PathResolver.Resolve(new WorkflowsOptions().Path) : Path.GetFullPath(workflows),
            directory is null ? PathResolver.Resolve(new DirectoryOptions().Path) : Path.GetFullPath(directory),
            at, until);
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
        if (usage) error.WriteLine($"usage: {CliCommands.Synopses(Create(), "").Single()}");
        return BadInput;
    }
}
