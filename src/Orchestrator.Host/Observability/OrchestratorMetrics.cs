using Orchestrator.Core.Instances;
using Orchestrator.Host.Storage;
using Prometheus;

namespace Orchestrator.Host.Observability;

/// <summary>
/// Counts what happens to requests, from the history events each committed change adds, so every path (chat, the
/// scheduler, an API) is counted the same way; and logs each event with its instance id as a structured property.
/// </summary>
internal sealed partial class OrchestratorMetrics : IDisposable
{
    private static readonly Counter Started = Metrics.CreateCounter("orchestrator_requests_started_total", "Requests started.", "workflow");
    private static readonly Counter Decisions = Metrics.CreateCounter("orchestrator_decisions_total", "Decisions recorded on cards.", "workflow", "verdict");
    private static readonly Counter Nudges = Metrics.CreateCounter("orchestrator_nudges_total", "Reminders sent to people who had not answered.", "workflow");
    private static readonly Counter Escalations = Metrics.CreateCounter("orchestrator_escalations_total", "Steps handed to someone else (deadline, delegation, reassign).", "workflow");
    private static readonly Counter Deliveries = Metrics.CreateCounter("orchestrator_deliveries_total", "Outbox messages delivered.", "kind");
    private static readonly Counter DeliveryFailures = Metrics.CreateCounter("orchestrator_delivery_failures_total", "Outbox messages that failed for good.", "kind");
    private static readonly Histogram TimeToDecision = Metrics.CreateHistogram("orchestrator_time_to_decision_seconds", "From a card's assignment to its decision.",
        new HistogramConfiguration
        {
            LabelNames = ["workflow"],
            // One minute to two weeks: approvals take minutes to days.
            Buckets = [60, 300, 900, 3600, 4 * 3600, 8 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400],
        });

    private readonly IInstances _store;
    private readonly ILogger<OrchestratorMetrics> _logger;

    public OrchestratorMetrics(IInstances store, ILogger<OrchestratorMetrics> logger)
    {
        _store = store;
        _logger = logger;
        store.Committed += OnCommitted;
    }

    public void Delivered(string kind) => Deliveries.WithLabels(kind).Inc();

    public void Failed(string kind) => DeliveryFailures.WithLabels(kind).Inc();

    private void OnCommitted(InstanceChange change)
    {
        var instance = change.Instance;
        foreach (var e in change.NewEvents)
        {
            LogEvent(instance.Id, e.Kind, e.Actor, e.Text);
            switch (e.Kind)
            {
                case EventKind.Started:
                    Started.WithLabels(instance.WorkflowId).Inc();
                    break;
                case EventKind.Decided:
                    // The decision itself is on the assignment (decided by the assignee or their delegate, at the event's moment).
                    var decided = instance.Steps.Where(s => s.StepId == e.StepId).SelectMany(s => s.Assignments.Concat(s.Earlier))
                        .FirstOrDefault(a => a.Decision is { } d && d.At == e.At);
                    Decisions.WithLabels(instance.WorkflowId, decided?.Decision?.Verdict.ToString().ToLowerInvariant() ?? "unknown").Inc();
                    if (decided is not null) TimeToDecision.WithLabels(instance.WorkflowId).Observe(Math.Max(0, (e.At - decided.AssignedAt).TotalSeconds));
                    break;
                case EventKind.Nudged:
                    Nudges.WithLabels(instance.WorkflowId).Inc();
                    break;
                case EventKind.Handoff or EventKind.Reassigned:
                    Escalations.WithLabels(instance.WorkflowId).Inc();
                    break;
            }
        }
    }

    public void Dispose() => _store.Committed -= OnCommitted;

    [LoggerMessage(LogLevel.Information, "{InstanceId} {Event} by {Actor}: {Text}")]
    private partial void LogEvent(string instanceId, EventKind @event, string? actor, string text);
}
