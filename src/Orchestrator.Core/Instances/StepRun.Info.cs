using System.Text.Json.Serialization;

namespace Orchestrator.Core.Instances;

public sealed partial class StepRun
{
    /// <summary>Questions approvers asked the requester about this step, oldest first; at most one is open.</summary>
    public List<InfoRequest> Questions { get; init; } = [];

    /// <summary>Each time a rejection sent this step back to the requester to change and resubmit, oldest first.</summary>
    public List<StepReturn> Returns { get; init; } = [];

    /// <summary>Assignments of the rounds before the latest resubmission: kept for status, never decided again.</summary>
    public List<Assignment> Earlier { get; init; } = [];

    /// <summary>What the requester changed in the latest resubmission; shown on the approvers' cards of this round.</summary>
    [JsonInclude] public List<InputChange> Changes { get; private set; } = [];

    [JsonIgnore] public InfoRequest? OpenQuestion => Questions.LastOrDefault(q => q.IsOpen);

    /// <summary>The rejection the requester has not answered yet (while the step is <see cref="StepState.Returned"/>).</summary>
    [JsonIgnore] public StepReturn? OpenReturn => State == StepState.Returned ? Returns.LastOrDefault(r => r.IsOpen) : null;

    /// <summary>Who holds this step now. While a question is open the requester holds it instead of the approver who asked.</summary>
    public IEnumerable<string> Holders(string requester)
    {
        if (OpenReturn is not null) return [requester];
        var question = OpenQuestion;
        var open = Assignments.Where(a => a.IsOpen && a.Id != question?.AssignmentId).Select(a => a.Assignee);
        if (question is not null) open = open.Prepend(requester);
        return open.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }
}

/// <summary>
/// A question an approver asked the requester, and its answer. While it is open the step's clocks are stopped: what was
/// left of the deadline and of each reminder interval is kept here and given back when the answer arrives.
/// </summary>
public sealed class InfoRequest
{
    /// <summary>Unique within the instance, e.g. <c>manager.q1</c>; the requester's question card is drawn under this id.</summary>
    public required string Id { get; init; }

    /// <summary>The assignment whose card asked; it waits, without live buttons, until the answer comes.</summary>
    public required string AssignmentId { get; init; }
    public required string AskedBy { get; init; }
    public required DateTimeOffset AskedAt { get; init; }
    public required string Question { get; init; }
    public string? AskedVia { get; init; }

    [JsonInclude] public string? Answer { get; private set; }
    [JsonInclude] public DateTimeOffset? AnsweredAt { get; private set; }
    [JsonInclude] public string? AnsweredVia { get; private set; }

    /// <summary>Set when the step closed before the requester answered (decided by someone else, cancelled).</summary>
    [JsonInclude] public string? ClosedReason { get; private set; }

    /// <summary>When the requester is next nudged to answer.</summary>
    public DateTimeOffset? NextRemindAt { get; set; }

    /// <summary>What was left of the step's deadline when the question was asked; null when no deadline was running.</summary>
    public TimeSpan? DueLeft { get; init; }

    /// <summary>What was left of each open assignment's reminder interval, by assignment id.</summary>
    public Dictionary<string, TimeSpan> RemindLeft { get; init; } = [];

    [JsonIgnore] public bool IsOpen => Answer is null && ClosedReason is null;

    /// <summary>The requester's answer; a question is answered once, and not after it closed.</summary>
    public void Answered(string answer, DateTimeOffset at, string? via)
    {
        EnsureOpen();
        Answer = answer;
        AnsweredAt = at;
        AnsweredVia = via;
        NextRemindAt = null;
    }

    /// <summary>The step closed before the requester answered; nobody is nudged about it again.</summary>
    public void Close(string reason)
    {
        EnsureOpen();
        ClosedReason = reason;
        NextRemindAt = null;
    }

    private void EnsureOpen()
    {
        if (AnsweredAt is { } at) throw new InvalidTransitionException($"Already answered at {at:yyyy-MM-dd HH:mm} UTC.");
        if (ClosedReason is { } why) throw new InvalidTransitionException($"This question is no longer open: {why}.");
    }
}

/// <summary>A rejection that sent the step back to the requester (<c>on_reject: back-to-requester</c>).</summary>
public sealed class StepReturn
{
    /// <summary>Unique within the instance, e.g. <c>manager.r1</c>; the requester's resubmit card is drawn under this id.</summary>
    public required string Id { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>Who rejected, or null when the quorum could no longer be reached.</summary>
    public string? RejectedBy { get; init; }
    public required string Reason { get; init; }

    [JsonInclude] public DateTimeOffset? ResubmittedAt { get; private set; }

    /// <summary>Set when the request was withdrawn or cancelled instead of resubmitted.</summary>
    [JsonInclude] public string? ClosedReason { get; private set; }

    [JsonIgnore] public bool IsOpen => ResubmittedAt is null && ClosedReason is null;

    /// <summary>The requester resubmitted; a rejection is resubmitted once, and not after the request was withdrawn.</summary>
    public void Resubmitted(DateTimeOffset at)
    {
        EnsureOpen();
        ResubmittedAt = at;
    }

    /// <summary>The request was withdrawn or cancelled instead of resubmitted.</summary>
    public void Close(string reason)
    {
        EnsureOpen();
        ClosedReason = reason;
    }

    private void EnsureOpen()
    {
        if (ResubmittedAt is { } at) throw new InvalidTransitionException($"Already resubmitted at {at:yyyy-MM-dd HH:mm} UTC.");
        if (ClosedReason is { } why) throw new InvalidTransitionException($"This request no longer waits for a resubmission: {why}.");
    }
}

/// <summary>One input the requester changed on resubmitting; an empty side means the value was absent.</summary>
public sealed record InputChange(string Label, string Before, string After);
