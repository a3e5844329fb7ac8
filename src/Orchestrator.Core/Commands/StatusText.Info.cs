using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Commands;

// A step that is with its requester (a question to answer, a rejection to change and resubmit) is held by them.
public static partial class StatusText
{
    private static string? WithRequester(WorkflowInstance i, StepRun run, PeopleDirectory people, TimeZoneInfo zone)
    {
        if (!i.IsOpen || run != i.Current) return null;
        var requester = people.NameOf(i.Requester);
        if (run.OpenReturn is { } back)
            return $"held by {requester} since {TimeText.Format(back.At, zone)}: {run.Note}";
        if (run.State != StepState.Active || run.OpenQuestion is not { } question) return null;

        var text = $"held by {requester} since {TimeText.Format(question.AskedAt, zone)}, answering a question from {people.NameOf(question.AskedBy)}";
        if (question.DueLeft is { } left) text += $"; deadline paused with {Left(left)} left";
        var others = run.Holders(i.Requester).Skip(1).ToList();
        if (others.Count > 0) text += $"; also waiting on {string.Join(", ", others.Select(people.NameOf))}";
        return text;
    }

    private static string? WhereWithRequester(WorkflowInstance i, StepRun run, PeopleDirectory people, TimeZoneInfo zone)
    {
        var requester = people.NameOf(i.Requester);
        if (run.OpenReturn is { } back)
            return $"rejected at {run.StepId}, back with {requester} to change and resubmit since {TimeText.Format(back.At, zone)}";
        if (run.State != StepState.Active || run.OpenQuestion is not { } question) return null;
        return $"waiting on {requester} to answer a question from {people.NameOf(question.AskedBy)} at {run.StepId} since {TimeText.Format(question.AskedAt, zone)}";
    }

    private static IEnumerable<string> Exchanges(WorkflowInstance i, StepRun run, PeopleDirectory people, TimeZoneInfo zone)
    {
        var requester = people.NameOf(i.Requester);
        foreach (var q in run.Questions)
        {
            yield return $"? {people.NameOf(q.AskedBy)} asked {requester} {TimeText.Format(q.AskedAt, zone)}: “{q.Question}”";
            if (q.Answer is { } answer) yield return $"  ↳ {requester} answered {TimeText.Format(q.AnsweredAt!.Value, zone)}: “{answer}”";
            else if (q.ClosedReason is { } why) yield return $"  ↳ not answered ({why})";
            else yield return "  ↳ not answered yet";
        }
        foreach (var back in run.Returns)
        {
            var by = back.RejectedBy is { } who ? people.NameOf(who) : "the approvers";
            var then = back.ResubmittedAt is { } at ? $"; resubmitted {TimeText.Format(at, zone)}"
                : back.ClosedReason is { } why ? $"; {why}"
                : "";
            yield return $"↩ sent back to {requester} by {by} {TimeText.Format(back.At, zone)}: “{back.Reason}”{then}";
        }
    }

    private static string Left(TimeSpan t)
    {
        if (t <= TimeSpan.Zero) return "no time";
        var minutes = (long)Math.Ceiling(t.TotalMinutes);
        var (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
        return d > 0 ? $"{d}d {h}h" : h > 0 ? $"{h}h {m}m" : $"{m}m";
    }
}
