using System.Globalization;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Engine;

/// <summary>The answer to a command that changes something (or refuses to); <see cref="Message"/> is what the person is told.</summary>
public sealed record ChangeResult(bool Changed, string Message)
{
    public static ChangeResult Refused(string message) => new(false, message);
}

public sealed partial class WorkflowEngine
{
    private readonly IDelegationStore _delegations = new MemoryDelegationStore();

    /// <summary>An engine whose delegations outlive the process (the host's store).</summary>
    public WorkflowEngine(Catalog catalogInForce, IInstanceStore instances, TimeProvider clock, IDelegationStore delegations)
        : this(catalogInForce, instances, clock) => _delegations = delegations;

    /// <summary>The delegations in force now.</summary>
    public DelegationBook Delegations() => new(_delegations.All(), time.GetUtcNow());

    /// <summary>
    /// The one way a change begins: every assignment it makes follows the delegations in force, and every decision it
    /// checks accepts the assignee's delegate.
    /// </summary>
    private Change Begin(WorkflowInstance instance, DateTimeOffset now) =>
        new(instance, catalog.People, now) { LoadDelegations = () => new DelegationBook(_delegations.All(), now) };

    /// <summary>
    /// <paramref name="actor"/> is away: their new assignments go to <paramref name="target"/> (or whoever that person's
    /// own delegation names) until the end of <paramref name="until"/> in their zone, and the cards they hold now move at once.
    /// </summary>
    public ChangeResult Delegate(string actor, string target, DateOnly? until, string? via)
    {
        actor = actor.Trim().ToLowerInvariant();
        var typed = target.Trim();
        target = typed.ToLowerInvariant();
        var people = catalog.People;
        if (people.Find(target) is null)
            return ChangeResult.Refused($"I don't know {typed}. Delegate to someone in the directory, written as their email or a mention. Nothing was changed.");
        if (target == actor)
            return ChangeResult.Refused("You can't delegate to yourself. Nothing was changed.");

        var now = time.GetUtcNow();
        var zone = people.ZoneOf(actor);
        DateTimeOffset? ends = null;
        if (until is { } last)
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
            if (last < today)
                return ChangeResult.Refused($"{Iso(last)} is in the past (today is {Iso(today)} where you are). Nothing was changed.");
            ends = EndOfDay(last, zone);
        }

        var others = new DelegationBook(_delegations.All().Where(d => !string.Equals(d.From, actor, StringComparison.OrdinalIgnoreCase)), now);
        if (LoopBack(others, target, actor) is { } loop)
            return ChangeResult.Refused(
                $"{people.NameOf(target)} already hands their work on to you ({string.Join(" → ", loop.Select(people.NameOf))}), so that would be a loop. Nothing was changed.");

        var previous = _delegations.All().FirstOrDefault(d => string.Equals(d.From, actor, StringComparison.OrdinalIgnoreCase) && d.IsActiveAt(now));
        _delegations.Save(new Delegation { From = actor, To = target, Until = until, Ends = ends, Since = now, Via = via });

        var moved = new List<string>();
        var kept = new List<string>();
        foreach (var waiting in store.WaitingOn(actor))
        {
            switch (Reroute(waiting.Id, actor))
            {
                case Rerouted.Moved: moved.Add(waiting.Id); break;
                case Rerouted.Kept: kept.Add(waiting.Id); break;
            }
        }

        var endsAt = Delegations().Route(actor);
        var lines = new List<string>
        {
            (until is { } u ? $"Until the end of {u.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture)} ({ZoneName(zone)})" : "Until you turn it off with delegate off")
            + $", your new assignments go to {people.NameOf(target)}, on your behalf."
            + (previous is not null && !string.Equals(previous.To, target, StringComparison.OrdinalIgnoreCase) ? $" This replaces your delegation to {people.NameOf(previous.To)}." : ""),
        };
        if (!string.Equals(endsAt, target, StringComparison.OrdinalIgnoreCase))
            lines.Add($"{people.NameOf(target)} is away too, so they reach {people.NameOf(endsAt)}.");
        if (moved.Count > 0) lines.Add($"Moved what waited for you to {people.NameOf(endsAt)}: {string.Join(", ", moved)}.");
        if (kept.Count > 0) lines.Add($"Kept with you, because {people.NameOf(endsAt)} asked for it: {string.Join(", ", kept)}.");
        return new ChangeResult(true, string.Join("\n", lines));
    }

    /// <summary>Ends <paramref name="actor"/>'s delegation; what their delegate already holds stays there.</summary>
    public ChangeResult EndDelegation(string actor)
    {
        actor = actor.Trim().ToLowerInvariant();
        var now = time.GetUtcNow();
        var current = _delegations.All().FirstOrDefault(d => string.Equals(d.From, actor, StringComparison.OrdinalIgnoreCase));
        if (current is null || !current.IsActiveAt(now))
        {
            if (current is not null) _delegations.Remove(actor);
            return ChangeResult.Refused("You have no delegation running, so there is nothing to turn off.");
        }
        _delegations.Remove(actor);
        return new ChangeResult(true,
            $"Your delegation to {catalog.People.NameOf(current.To)} ended: new assignments come to you again. "
            + "Cards already handed to them stay with them; an admin can move one back with admin reassign.");
    }

    private enum Rerouted { Stayed, Moved, Kept }

    /// <summary>Moves the cards <paramref name="absent"/> holds on one instance to whoever stands in for them now.</summary>
    private Rerouted Reroute(string instanceId, string absent) =>
        Mutate(instanceId,
            change =>
            {
                var instance = change.Instance;
                if (instance is not { IsOpen: true, Current: { State: StepState.Active } run }) return Refuse(Rerouted.Stayed);
                var theirs = run.Assignments.Where(a => a.IsOpen && string.Equals(a.Assignee, absent, StringComparison.OrdinalIgnoreCase)).ToList();
                if (theirs.Count == 0) return Refuse(Rerouted.Stayed);

                var now = change.Now;
                var to = change.Delegations.Route(absent);
                if (string.Equals(to, absent, StringComparison.OrdinalIgnoreCase)) return Refuse(Rerouted.Stayed);
                if (string.Equals(to, instance.Requester, StringComparison.OrdinalIgnoreCase)) return Refuse(Rerouted.Kept);

                var step = change.Definition(run);
                foreach (var card in theirs)
                {
                    card.Close($"Moved to {change.Name(to)} (delegated)");
                    change.UpdateCard(run, card, CardStatus.Closed, $"Moved to {change.Name(to)} (delegated) · {change.TimeFor(absent, now)}", null, null);
                    Assign(change, run, step, absent, handedFrom: absent);
                }
                change.TellRequester($"{instance.Id} ({step.Id}) moved from {change.Name(absent)} to {change.Name(to)}: {change.Name(absent)} is away and delegated to them.");
                return Commit(Rerouted.Moved);
            },
            missing: () => Rerouted.Stayed,
            // Set aside for an admin (admin stuck); the other instances still move.
            notSaved: _ => Rerouted.Stayed,
            refused: (_, _) => Rerouted.Stayed);

    /// <summary>Tells each reachable holder of an open card of <paramref name="run"/> (not the actor) what became of it.</summary>
    private static void TellHolders(Change change, StepRun run, string actor, string what)
    {
        var instance = change.Instance;
        var title = instance.Title(change.Definition(run), change.Name(instance.Requester));
        var holders = run.Assignments
            .Where(a => a.IsOpen && a.DeliveryFailure is null && !string.Equals(a.Assignee, actor, StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Assignee)
            .Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var holder in holders)
            change.Add(new NotifyPerson { Recipient = holder, InstanceId = instance.Id, Text = $"{title} ({instance.Id}) {what}" });
    }

    /// <summary>The chain from <paramref name="target"/> back to <paramref name="actor"/>, when delegating to them would close a loop.</summary>
    private static List<string>? LoopBack(DelegationBook book, string target, string actor)
    {
        var path = new List<string> { target };
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { target };
        var current = target;
        while (book.Of(current) is { } hop)
        {
            current = hop.To;
            path.Add(current);
            if (string.Equals(current, actor, StringComparison.OrdinalIgnoreCase)) return path;
            if (!seen.Add(current)) return null;
        }
        return null;
    }

    /// <summary>The first moment after <paramref name="day"/> in <paramref name="zone"/>.</summary>
    internal static DateTimeOffset EndOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
    }

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string ZoneName(TimeZoneInfo zone) => zone == TimeZoneInfo.Utc ? "UTC" : zone.Id;

    private sealed partial class Change
    {
        private DelegationBook? _book;

        public Func<DelegationBook>? LoadDelegations { private get; init; }

        /// <summary>The delegations in force at <see cref="Now"/>, read once per change and only when needed.</summary>
        public DelegationBook Delegations => _book ??= LoadDelegations?.Invoke() ?? DelegationBook.None;

        /// <summary>Whether <paramref name="actor"/> may answer <paramref name="assignee"/>'s card as their delegate (never on their own request).</summary>
        public bool StandsInFor(string actor, string assignee) =>
            !string.Equals(actor, Instance.Requester, StringComparison.OrdinalIgnoreCase) && Delegations.StandsInFor(actor, assignee);

        /// <summary>
        /// Sends a new assignment of <paramref name="person"/> to whoever stands in for them, recording the handoff;
        /// returns the absent person, or null when <paramref name="person"/> takes it themselves. A request never goes to
        /// its own requester this way: nobody approves their own request on someone's behalf.
        /// </summary>
        public string? StandIn(StepRun run, ref string person)
        {
            var chain = Delegations.Chain(person);
            if (chain.Count == 0) return null;
            var to = chain[^1].To;
            if (string.Equals(to, Instance.Requester, StringComparison.OrdinalIgnoreCase)) return null;
            var absent = person;
            var via = string.Join(", ", chain.Select(hop => $"{Name(hop.From)} delegated to {Name(hop.To)}" + (hop.Until is { } u ? $" until {Iso(u)}" : "")));
            Instance.History.Add(new InstanceEvent(Now, EventKind.Handoff, absent, run.StepId, $"Handed from {Name(absent)} to {Name(to)}: {via}"));
            person = to;
            return absent;
        }
    }
}
