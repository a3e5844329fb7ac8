using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Simulation;

/// <summary>How the simulated owners behave: never answer, or approve (tasks: mark done) a fixed time after their card arrives.</summary>
internal sealed record AnswerPolicy(TimeSpan? After)
{
    public const string Usage = "never or after=<duration> (e.g. after=6h)";

    public static AnswerPolicy Never { get; } = new((TimeSpan?)null);

    public static bool TryParse(string text, out AnswerPolicy policy, out string error)
    {
        policy = Never;
        error = "";
        var t = text.Trim();
        if (t.Equals("never", StringComparison.OrdinalIgnoreCase)) return true;
        const string prefix = "after=";
        if (t.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            if (Durations.TryParse(t[prefix.Length..], out var after))
            {
                policy = new AnswerPolicy(after);
                return true;
            }
            error = $"'{t[prefix.Length..]}' is not a duration; write it like 30s, 15m, 4h, 2d or 1w";
            return false;
        }
        error = $"'{t}' is not an answer policy; use {Usage}";
        return false;
    }

    public override string ToString() => After is { } after ? $"after={Durations.Format(after)}" : "never";
}

internal enum TimelineKind { Started, Card, Nudge, Handoff, Deadline, Decision, Step, Message, Closed, Waiting, Horizon }

/// <summary>One line of a dry run: when, what happened, and who holds the step right after it.</summary>
internal sealed record TimelineEntry(DateTimeOffset At, TimelineKind Kind, string What, IReadOnlyList<string> Holders);

/// <summary>How a dry run ended: the request closed, or it would wait for someone forever, or the horizon came first.</summary>
internal enum SimulationEnd { Completed, Rejected, Cancelled, WaitsForever, Horizon }

internal sealed record SimulationResult(StartResult Start, IReadOnlyList<TimelineEntry> Timeline, SimulationEnd? End)
{
    public bool Started => Start.Outcome == StartOutcome.Started;
}

/// <summary>
/// A dry run of a definition: the real engine on an in-memory store and a simulated clock, which jumps to each moment
/// something is due (a reminder, a deadline, a scripted answer) and ticks there, as the scheduler would.
/// </summary>
internal static class Simulator
{
    public static readonly TimeSpan DefaultHorizon = TimeSpan.FromDays(30);
    private const string Via = "simulation";

    // A guard against a definition (or an engine bug) that stays due without moving on; no real policy needs this many.
    private const int MaxMoves = 10_000;

    public static SimulationResult Run(
        WorkflowDefinition definition,
        PeopleDirectory people,
        IReadOnlyDictionary<string, string> inputs,
        string requester,
        AnswerPolicy answers,
        DateTimeOffset start,
        TimeSpan? horizon = null)
    {
        var clock = new SimulatedClock(start);
        var store = new MemoryInstanceStore();
        var catalog = new Catalog();
        catalog.Replace([definition], people, []);
        var engine = new WorkflowEngine(catalog, store, clock);

        var started = engine.Start(definition.Id, inputs, requester, Via);
        if (started.Outcome != StartOutcome.Started) return new SimulationResult(started, [], null);

        var id = started.Instance!.Id;
        var recorder = new Recorder(people, store, answers, clock);
        recorder.Record(store.Get(id)!);
        var end = start + (horizon ?? DefaultHorizon);
        for (var moves = 0; moves < MaxMoves; moves++)
        {
            var instance = store.Get(id)!;
            if (!instance.IsOpen) return new SimulationResult(started, recorder.Timeline, EndOf(instance.State));

            recorder.ForgetAnswersToClosedCards(instance);
            var next = Earliest(instance.NextDueAt(), recorder.NextAnswerAt());
            if (next is null)
            {
                recorder.Note(TimelineKind.Waiting, $"nothing more happens on its own: waiting on {Names(people, instance.CurrentOwners())}", instance);
                return new SimulationResult(started, recorder.Timeline, SimulationEnd.WaitsForever);
            }
            if (next > end)
            {
                clock.MoveTo(end);
                recorder.Note(TimelineKind.Horizon, $"horizon of {Durations.Format(end - start)} reached: still waiting on {Names(people, instance.CurrentOwners())}", instance);
                return new SimulationResult(started, recorder.Timeline, SimulationEnd.Horizon);
            }

            if (next > clock.GetUtcNow()) clock.MoveTo(next.Value);
            // Answers first: someone who answers at the very moment of the deadline answered in time.
            foreach (var answer in recorder.TakeAnswersDue())
            {
                var verdict = answer.Kind == CardKind.Task ? Verdict.Done : Verdict.Approve;
                engine.Decide(id, answer.AssignmentId, answer.Person, verdict, null, Via);
                recorder.Record(store.Get(id)!);
            }
            if (store.Get(id)!.NextDueAt() <= clock.GetUtcNow())
            {
                engine.Tick(id, clock.GetUtcNow());
                recorder.Record(store.Get(id)!);
            }
        }
        throw new InvalidOperationException($"The dry run of {definition.Id} stopped after {MaxMoves} moves without the request settling.");
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private static SimulationEnd EndOf(InstanceState state) => state switch
    {
        InstanceState.Completed => SimulationEnd.Completed,
        InstanceState.Rejected => SimulationEnd.Rejected,
        _ => SimulationEnd.Cancelled,
    };

    private static string Names(PeopleDirectory people, IEnumerable<string> emails)
    {
        var names = emails.Select(people.NameOf).ToList();
        return names.Count == 0 ? "nobody (an admin must step in)" : string.Join(", ", names);
    }

    private sealed record PendingAnswer(DateTimeOffset At, string AssignmentId, string Person, CardKind Kind);

    /// <summary>Turns what each engine call committed (new history, new effects) into timeline lines, and schedules the answers.</summary>
    private sealed class Recorder(PeopleDirectory people, MemoryInstanceStore store, AnswerPolicy answers, SimulatedClock clock)
    {
        private readonly List<TimelineEntry> _timeline = [];
        private readonly List<PendingAnswer> _pending = [];
        private int _historySeen;

        public IReadOnlyList<TimelineEntry> Timeline => _timeline;

        public DateTimeOffset? NextAnswerAt() => _pending.Count == 0 ? null : _pending.Min(p => p.At);

        public IReadOnlyList<PendingAnswer> TakeAnswersDue()
        {
            var due = _pending.Where(p => p.At <= clock.GetUtcNow()).OrderBy(p => p.At).ToList();
            _pending.RemoveAll(due.Contains);
            return due;
        }

        /// <summary>A card that moved on or was decided by others is never answered; it must not hold the clock back.</summary>
        public void ForgetAnswersToClosedCards(WorkflowInstance instance) =>
            _pending.RemoveAll(p => instance.FindAssignment(p.AssignmentId) is not { Assignment.IsOpen: true });

        public void Note(TimelineKind kind, string what, WorkflowInstance instance) =>
            _timeline.Add(new TimelineEntry(clock.GetUtcNow(), kind, what, Holders(instance)));

        public void Record(WorkflowInstance instance)
        {
            var now = clock.GetUtcNow();
            var holders = Holders(instance);
            var events = instance.History.Skip(_historySeen).ToList();
            _historySeen = instance.History.Count;
            var closing = new List<TimelineEntry>();
            foreach (var e in events)
            {
                var line = Describe(e, instance);
                if (line is null) continue;
                var entry = new TimelineEntry(e.At, line.Value.Kind, line.Value.What, holders);
                // The end of the request reads last, after the cards and messages the same change sent.
                if (line.Value.Kind == TimelineKind.Closed) closing.Add(entry);
                else _timeline.Add(entry);
            }
            foreach (var effect in store.NewEffects())
            {
                switch (effect)
                {
                    case AskDecision ask:
                        if (instance.FindAssignment(ask.Card.AssignmentId)?.Assignment.HandedFrom is { } from)
                            _timeline.Add(new TimelineEntry(now, TimelineKind.Handoff, $"handoff {Name(from)} → {Name(ask.Recipient)}", holders));
                        var due = ask.Card.DueAt is { } at ? $", due {TimeText.Format(at, Zone(ask.Recipient))}" : "";
                        _timeline.Add(new TimelineEntry(now, TimelineKind.Card, $"card to {Name(ask.Recipient)} ({ask.Card.StepId}{due})", holders));
                        if (answers.After is { } after)
                            _pending.Add(new PendingAnswer(now + after, ask.Card.AssignmentId, ask.Recipient, ask.Card.Kind));
                        break;
                    case RemindPerson remind:
                        _timeline.Add(new TimelineEntry(now, TimelineKind.Nudge, $"nudge to {Name(remind.Recipient)}", holders));
                        break;
                    case NotifyPerson note:
                        _timeline.Add(new TimelineEntry(now, TimelineKind.Message, $"message to {Name(note.Recipient)}: {note.Text.ReplaceLineEndings(" / ")}", holders));
                        break;
                }
            }
            _timeline.AddRange(closing);
        }

        private (TimelineKind Kind, string What)? Describe(InstanceEvent e, WorkflowInstance instance) => e.Kind switch
        {
            EventKind.Started => (TimelineKind.Started, $"started by {Name(instance.Requester)}"),
            EventKind.Decided => (TimelineKind.Decision, DecisionText(e, instance)),
            EventKind.StepApproved or EventKind.StepDone or EventKind.StepRejected or EventKind.StepSkipped or EventKind.Unassignable
                => (TimelineKind.Step, Lower(e.Text)),
            EventKind.Overdue => (TimelineKind.Deadline, $"deadline passed at {e.StepId}"),
            EventKind.TimedOut => (TimelineKind.Deadline, Lower(e.Text)),
            EventKind.Completed => (TimelineKind.Closed, "completed"),
            EventKind.Rejected or EventKind.Cancelled => (TimelineKind.Closed, Lower(e.Text)),
            // Cards, nudges, handoffs and notices are told from the effects, which name who was reached.
            _ => null,
        };

        private string DecisionText(InstanceEvent e, WorkflowInstance instance)
        {
            var decision = instance.Steps.SelectMany(s => s.Assignments).Select(a => a.Decision)
                .FirstOrDefault(d => d is not null && d.At == e.At && string.Equals(d.By, e.Actor, StringComparison.OrdinalIgnoreCase));
            return decision is null ? Lower(e.Text) : $"{WorkflowEngine.Past(decision.Verdict)} by {Name(decision.By)}";
        }

        private static IReadOnlyList<string> Holders(WorkflowInstance instance) => instance.IsOpen ? instance.CurrentOwners().ToList() : [];

        private string Name(string email) => people.NameOf(email);

        private TimeZoneInfo Zone(string email) => people.ZoneOf(email);

        private static string Lower(string text) => text.Length == 0 ? text : char.ToLowerInvariant(text[0]) + text[1..];
    }
}
