using System.Text;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Commands;

/// <summary>How an instance reads in chat: each step, who holds it since when, due times and decisions.</summary>
public static partial class StatusText
{
    public static string Where(WorkflowInstance i, PeopleDirectory people, TimeZoneInfo zone)
    {
        if (!i.IsOpen) return $"{i.State.ToString().ToLowerInvariant()} {TimeText.Format(i.ClosedAt ?? i.StartedAt, zone)}";
        var run = i.Current;
        if (run is null) return "open";
        if (WhereWithRequester(i, run, people, zone) is { } withRequester) return withRequester;
        var owners = i.CurrentOwners().ToList();
        if (owners.Count == 0) return $"waiting on an admin at {run.StepId} ({run.Note})";
        return $"waiting on {string.Join(", ", owners.Select(people.NameOf))} at {run.StepId} since {TimeText.Format(run.ActivatedAt!.Value, zone)}";
    }

    public static string Describe(WorkflowInstance i, PeopleDirectory people, TimeZoneInfo zone)
    {
        var sb = new StringBuilder();
        sb.Append($"{i.Id} — {i.Definition.Name} — {i.State.ToString().ToLowerInvariant()}\n");
        sb.Append($"Requested by {people.NameOf(i.Requester)} {TimeText.Format(i.StartedAt, zone)}{(i.ExternalRef is null ? "" : $" · ref {i.ExternalRef}")}\n");
        var fields = i.Definition.Inputs.Where(d => i.Inputs.ContainsKey(d.Id)).Select(d => $"{d.Label}: {i.Inputs[d.Id]}").ToList();
        if (fields.Count > 0) sb.Append(string.Join(" · ", fields)).Append('\n');
        for (var n = 0; n < i.Steps.Count; n++)
        {
            var run = i.Steps[n];
            sb.Append($"{n + 1}. {run.StepId} — {WithRequester(i, run, people, zone) ?? StepLine(run, people, zone)}\n");
            foreach (var a in run.Earlier.Concat(run.Assignments))
            {
                var line = a.Decision is { } d
                    ? $"{people.NameOf(a.Assignee)} {WorkflowEngine.Past(d.Verdict)} {TimeText.Format(d.At, zone)}{(d.Comment is null ? "" : $": “{d.Comment}”")}{(d.Via is null ? "" : $" (via {d.Via})")}"
                    : a.ClosedReason is { } why ? $"{people.NameOf(a.Assignee)}: closed ({why})" : $"{people.NameOf(a.Assignee)}: waiting since {TimeText.Format(a.AssignedAt, zone)}";
                sb.Append($"    • {line}{(a.DeliveredVia is { } via ? $" [card in {Capitalised(via)}]" : "")}\n");
            }
            foreach (var line in Exchanges(i, run, people, zone)) sb.Append($"    {line}\n");
        }
        AppendTimeline(sb, i, zone);
        return sb.ToString().TrimEnd();
    }

    /// <summary>How many of the latest events <c>status</c> shows; the whole trail is in <c>audit export</c>.</summary>
    public const int TimelineLength = 25;

    private static void AppendTimeline(StringBuilder sb, WorkflowInstance i, TimeZoneInfo zone)
    {
        sb.Append("Timeline:\n");
        var skipped = Math.Max(0, i.History.Count - TimelineLength);
        if (skipped > 0) sb.Append($"    … {skipped} earlier events\n");
        foreach (var e in i.History.Skip(skipped))
            sb.Append($"    {TimeText.Format(e.At, zone)} · {e.Text}{(e.Via is null ? "" : $" (via {e.Via})")}\n");
    }

    private static string Capitalised(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string StepLine(StepRun run, PeopleDirectory people, TimeZoneInfo zone) => run.State switch
    {
        StepState.Active when run.Assignments.Any(a => a.IsOpen) =>
            $"held by {string.Join(", ", run.Assignments.Where(a => a.IsOpen).Select(a => people.NameOf(a.Assignee)))} since {TimeText.Format(run.ActivatedAt!.Value, zone)}"
            + (run.DueAt is { } due ? $", due {TimeText.Format(due, zone)}" : ""),
        StepState.Active => $"waiting on an admin ({run.Note})",
        StepState.Pending => "not reached yet",
        _ => run.State.ToString().ToLowerInvariant() + (run.Note is null ? "" : $" ({run.Note})"),
    };
}
