using System.Text;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Commands;

public enum HomeItemKind { Approval, Task, Other }

/// <summary>One thing waiting for a person; <see cref="AssignmentId"/> is set when it can be answered with a button.</summary>
public sealed record HomeItem(string InstanceId, string? AssignmentId, HomeItemKind Kind, string Title, string RequestedBy, DateTimeOffset Since, DateTimeOffset? DueAt, string? Note);

/// <summary>One request a person started, with where it stands and since when.</summary>
public sealed record HomeRequest(string InstanceId, string WorkflowName, string Where);

/// <summary>
/// A person's own page in chat (Slack's App Home, the Teams <c>home</c> card): what waits for them and what they asked
/// for. Platform-neutral; each channel draws it its own way.
/// </summary>
public sealed record HomeModel(string Person, TimeZoneInfo Zone, IReadOnlyList<HomeItem> Waiting, IReadOnlyList<HomeRequest> Requests)
{
    /// <summary>At most this many of each list; the rest is a command away (<c>mine</c>, <c>requests</c>).</summary>
    public const int Limit = 20;

    public static HomeModel For(string email, IInstanceStore store, PeopleDirectory people)
    {
        email = email.Trim().ToLowerInvariant();
        var zone = people.ZoneOf(email);
        var waiting = new List<HomeItem>();
        foreach (var instance in store.WaitingOn(email))
        {
            if (instance.Current is not { } run) continue;
            var step = instance.Definition.Steps[instance.CurrentStep];
            var title = instance.Title(step, people.NameOf(instance.Requester));
            var from = people.NameOf(instance.Requester);
            var mine = run.Assignments.Where(a => a.IsOpen && string.Equals(a.Assignee, email, StringComparison.OrdinalIgnoreCase)
                && a.Id != run.OpenQuestion?.AssignmentId).ToList();
            if (mine.Count == 0)
            {
                // The requester holding a question or a returned request: answered on its own card, not with a button here.
                var note = run.OpenReturn is not null ? "sent back to you to change and resubmit" : run.OpenQuestion is { } q ? $"{people.NameOf(q.AskedBy)} asked you: {q.Question}" : null;
                waiting.Add(new HomeItem(instance.Id, null, HomeItemKind.Other, title, from, run.ActivatedAt ?? instance.StartedAt, run.DueAt, note));
                continue;
            }
            foreach (var a in mine)
                waiting.Add(new HomeItem(instance.Id, a.Id, step.Kind == StepKind.Task ? HomeItemKind.Task : HomeItemKind.Approval, title, from, a.AssignedAt, run.DueAt,
                    a.OnBehalfOf is { } boss ? $"on behalf of {people.NameOf(boss)}" : null));
        }
        var requests = store.StartedBy(email, Limit)
            .Select(i => new HomeRequest(i.Id, i.Definition.Name, StatusText.Where(i, people, zone)))
            .ToList();
        return new HomeModel(email, zone, waiting.OrderBy(w => w.Since).Take(Limit).ToList(), requests);
    }

    /// <summary>The same page as plain text, for a command's answer.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        sb.Append(Waiting.Count == 0 ? "Nothing waits for you. 🎉\n" : $"Waiting for you ({Waiting.Count}):\n");
        foreach (var w in Waiting) sb.Append($"• {Line(w)}\n");
        sb.Append(Requests.Count == 0 ? "You have not started any request yet." : "Your requests:\n");
        foreach (var r in Requests) sb.Append($"• {r.InstanceId} — {r.WorkflowName}: {r.Where}\n");
        return sb.ToString().TrimEnd();
    }

    /// <summary>"purchase-3 — Desk for 1500 EUR (from Alice Adams, since …, due …)".</summary>
    public string Line(HomeItem w) =>
        $"{w.InstanceId} — {w.Title} (from {w.RequestedBy}, since {TimeText.Format(w.Since, Zone)}"
        + (w.DueAt is { } due ? $", due {TimeText.Format(due, Zone)}" : "") + ")"
        + (w.Note is null ? "" : $" — {w.Note}");
}
