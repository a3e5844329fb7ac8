using System.Text;
using System.Text.Json;
using Coravel.Invocable;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Scheduling;

/// <summary>
/// Each working morning in a person's own zone (Mon–Fri from 09:00), one summary of what is overdue with them; admins
/// also get one summary of everything stuck. At most one digest per person per local day.
/// </summary>
internal sealed partial class DigestJob(IStore store, Catalog catalog, TimeProvider time, ILogger<DigestJob> logger) : IInvocable
{
    private static readonly TimeOnly MorningStarts = new(9, 0);

    public Task Invoke()
    {
        // One host at a time; the digest marks keep it to one a day per person even if two overlap.
        using var held = store.TryLock("digest");
        if (held is null) return Task.CompletedTask;
        var sent = RunAt(time.GetUtcNow());
        if (sent > 0) LogSent(sent);
        return Task.CompletedTask;
    }

    /// <summary>Queues the digests due at <paramref name="now"/> in each person's zone; returns how many.</summary>
    public int RunAt(DateTimeOffset now)
    {
        var people = catalog.People;
        var overdue = store.Overdue(now);
        var byOwner = overdue
            .SelectMany(i => i.CurrentOwners().Select(owner => (Owner: owner, Instance: i)))
            .GroupBy(x => x.Owner, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Instance).ToList(), StringComparer.OrdinalIgnoreCase);
        var admins = people.WithRole("admin").Select(p => p.Email).ToList();
        var stuck = overdue.Concat(store.Unowned()).DistinctBy(i => i.Id).ToList();
        var failed = store.CountFailedOutbox();

        var sent = 0;
        foreach (var email in byOwner.Keys.Concat(stuck.Count > 0 || failed > 0 ? admins : []).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var zone = people.ZoneOf(email);
            var local = TimeZoneInfo.ConvertTime(now, zone);
            if (local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || TimeOnly.FromDateTime(local.DateTime) < MorningStarts) continue;

            var text = new StringBuilder();
            if (byOwner.TryGetValue(email, out var mine))
            {
                text.Append($"☀️ Good morning. {mine.Count} overdue item(s) wait for you:\n");
                foreach (var i in mine) text.Append($"• {Line(i, zone)}\n");
            }
            if (admins.Contains(email, StringComparer.OrdinalIgnoreCase) && (stuck.Count > 0 || failed > 0))
            {
                text.Append($"🛠️ Stuck across Orchestrator: {stuck.Count} request(s)" + (failed > 0 ? $", {failed} failed deliveries" : "") + ":\n");
                foreach (var i in stuck) text.Append($"• {Line(i, zone)}\n");
            }
            if (text.Length == 0 || !store.TryMarkDigest(email, DateOnly.FromDateTime(local.DateTime))) continue;
            var key = $"digest:{email}:{DateOnly.FromDateTime(local.DateTime):yyyy-MM-dd}";
            store.Enqueue(OutboxKinds.Effect, key, null, email,
                JsonSerializer.Serialize<Effect>(new NotifyPerson { Recipient = email, InstanceId = "", Text = text.ToString().TrimEnd() }, StoreJson.Options));
            sent++;
        }
        return sent;
    }

    private string Line(WorkflowInstance i, TimeZoneInfo zone)
    {
        var run = i.Current!;
        var owners = i.CurrentOwners().ToList();
        var holder = owners.Count == 0 ? $"nobody ({run.Note})" : string.Join(", ", owners.Select(catalog.People.NameOf));
        var due = run.DueAt is { } d ? $", due {TimeText.Format(d, zone)}" : "";
        return $"{i.Id} — {i.Definition.Name} at {run.StepId}, held by {holder}{due}";
    }

    [LoggerMessage(LogLevel.Information, "Digest: {Count} morning summaries queued")]
    private partial void LogSent(int count);
}
