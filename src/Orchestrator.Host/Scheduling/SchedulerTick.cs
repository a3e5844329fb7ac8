using Coravel.Invocable;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Scheduling;

/// <summary>
/// Every <c>Scheduler:TickSeconds</c>: processes due reminders, deadlines and escalations. Due instances come from the
/// index on their next due time, so a tick costs what is due, not what is open. One instance that fails never holds up
/// the others: it is set aside for an admin (<c>admin stuck</c>, <c>/readyz</c>) and tried again hourly.
/// </summary>
internal sealed partial class SchedulerTick(IInstances store, ICluster cluster, WorkflowEngine engine, TimeProvider time, ILogger<SchedulerTick> logger) : IInvocable
{
    private const int BatchSize = 500;

    // Instances changed per transaction: a flush per hundred instead of per instance, while other writers wait at most
    // one short batch.
    private const int CommitSize = 100;

    /// <summary>How long an instance that failed waits before the tick tries it again.</summary>
    internal static readonly TimeSpan RetrySetAsideAfter = TimeSpan.FromHours(1);

    public Task Invoke()
    {
        // One host ticks at a time; the others skip this tick (the revision check would make their work a no-op anyway).
        using var held = cluster.TryLock("scheduler.tick");
        if (held is null) return Task.CompletedTask;
        var result = RunAt(time.GetUtcNow());
        if (result.Instances > 0) LogTick(result.Instances, result.Nudges, result.Handoffs);
        return Task.CompletedTask;
    }

    /// <summary>Processes what is due at <paramref name="now"/>; returns how many instances it changed, nudges and handoffs.</summary>
    public (int Instances, int Nudges, int Handoffs) RunAt(DateTimeOffset now)
    {
        var total = new Counts();
        // Tried again each tick, a failing instance would make every batch it is in fail and be done again one by one.
        var waiting = store.SetAside().Where(s => now - s.LastTried < RetrySetAsideAfter).Select(s => s.InstanceId).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var due = store.DueInstanceIds(now, BatchSize + waiting.Count);
            // An instance still due after its tick (a reminder outside working hours moved to now) is not taken twice.
            var fresh = due.Where(id => !waiting.Contains(id)).Where(seen.Add).ToList();
            foreach (var chunk in fresh.Chunk(CommitSize))
            {
                var counts = new Counts();
                var failed = new List<(string Id, Exception Error)>();
                try
                {
                    store.Batch(() =>
                    {
                        foreach (var id in chunk)
                        {
                            try
                            {
                                counts.Add(engine.Tick(id, now));
                            }
                            // What the store refused rolls the batch back whole (LiteDB has already dropped its transaction).
                            catch (Exception ex) when (ex is not BatchAbortedException && !StoreErrors.IsStoreFailure(ex))
                            {
                                failed.Add((id, ex));
                            }
                        }
                    });
                }
                catch (Exception ex) when (ex is BatchAbortedException || StoreErrors.IsStoreFailure(ex))
                {
                    LogBatchFailed(ex, chunk.Length);
                    counts = new Counts();
                    failed.Clear();
                    // Again one instance per transaction: the one that fails is set aside, the others go ahead.
                    foreach (var id in chunk)
                    {
                        try
                        {
                            counts.Add(engine.Tick(id, now));
                        }
                        catch (InstanceNotSavedException notSaved)
                        {
                            // The store has set it aside and logged why.
                            LogInstanceFailed(notSaved, id);
                        }
                        catch (Exception other)
                        {
                            failed.Add((id, other));
                        }
                    }
                }
                foreach (var (id, error) in failed)
                {
                    LogInstanceFailed(error, id);
                    store.SetAside(id, StepOf(id), "a scheduler tick", error.Message);
                }
                total.Add(counts);
            }
            if (due.Count < BatchSize + waiting.Count || fresh.Count == 0) break;
        }
        return (total.Instances, total.Nudges, total.Handoffs);
    }

    private string? StepOf(string id)
    {
        try
        {
            return store.Get(id)?.Current?.StepId;
        }
        catch (Exception)
        {
            // Reading it may be what fails; the admin still sees which instance.
            return null;
        }
    }

    private sealed class Counts
    {
        public int Instances, Nudges, Handoffs;

        public void Add(TickResult result)
        {
            if (result.Outcome != TickOutcome.Processed) return;
            Instances++;
            Nudges += result.Nudges;
            Handoffs += result.Handoffs;
        }

        public void Add(Counts other)
        {
            Instances += other.Instances;
            Nudges += other.Nudges;
            Handoffs += other.Handoffs;
        }
    }

    [LoggerMessage(LogLevel.Information, "Scheduler tick: {Instances} instances processed, {Nudges} nudges, {Handoffs} handoffs")]
    private partial void LogTick(int instances, int nudges, int handoffs);

    [LoggerMessage(LogLevel.Error, "Scheduler tick failed on instance {InstanceId}; it is set aside for an admin (admin stuck) and tried again in an hour")]
    private partial void LogInstanceFailed(Exception ex, string instanceId);

    [LoggerMessage(LogLevel.Warning, "Scheduler tick: a batch of {Count} instances was rolled back; doing them one at a time")]
    private partial void LogBatchFailed(Exception ex, int count);
}
