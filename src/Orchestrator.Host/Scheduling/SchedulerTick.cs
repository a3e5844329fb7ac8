using Coravel.Invocable;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Scheduling;

/// <summary>
/// Every <c>Scheduler:TickSeconds</c>: processes due reminders, deadlines and escalations. Due instances come from the
/// index on their next due time, so a tick costs what is due, not what is open.
/// </summary>
internal sealed partial class SchedulerTick(LiteDbStore store, WorkflowEngine engine, TimeProvider time, ILogger<SchedulerTick> logger) : IInvocable
{
    private const int BatchSize = 500;

    // Instances changed per transaction: a flush per hundred instead of per instance, while other writers wait at most
    // one short batch.
    private const int CommitSize = 100;

    public Task Invoke()
    {
        var result = RunOnce();
        if (result.Instances > 0) LogTick(result.Instances, result.Nudges, result.Handoffs);
        return Task.CompletedTask;
    }

    public (int Instances, int Nudges, int Handoffs) RunOnce()
    {
        int instances = 0, nudges = 0, handoffs = 0;
        var seen = new HashSet<string>();
        while (true)
        {
            var due = store.DueInstanceIds(time.GetUtcNow(), BatchSize);
            // An instance still due after its tick (a reminder outside working hours moved to now) is not taken twice.
            var fresh = due.Where(seen.Add).ToList();
            foreach (var chunk in fresh.Chunk(CommitSize))
            {
                store.Batch(() =>
                {
                    foreach (var id in chunk)
                    {
                        try
                        {
                            var result = engine.Tick(id);
                            if (result.Outcome != TickOutcome.Processed) continue;
                            instances++;
                            nudges += result.Nudges;
                            handoffs += result.Handoffs;
                        }
                        catch (Exception ex) when (ex is not LiteDB.LiteException)
                        {
                            LogInstanceFailed(ex, id);
                        }
                    }
                });
            }
            if (due.Count < BatchSize || fresh.Count == 0) break;
        }
        return (instances, nudges, handoffs);
    }

    [LoggerMessage(LogLevel.Information, "Scheduler tick: {Instances} instances processed, {Nudges} nudges, {Handoffs} handoffs")]
    private partial void LogTick(int instances, int nudges, int handoffs);

    [LoggerMessage(LogLevel.Error, "Scheduler tick failed on instance {InstanceId}")]
    private partial void LogInstanceFailed(Exception ex, string instanceId);
}
