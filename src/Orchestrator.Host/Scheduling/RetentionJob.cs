using Coravel.Invocable;
using Microsoft.Extensions.Options;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Scheduling;

/// <summary>
/// Hourly: deletes outbox messages delivered, and inbound requests finished, longer ago than <c>Storage:Retention</c>, so
/// the store does not grow forever. In short batches, each its own commit, so other writers wait at most one batch. What
/// exactly-once still needs is kept: pending and failed messages, requests not done yet, and the messages of open
/// instances.
/// </summary>
internal sealed partial class RetentionJob(IStore store, IOptions<StorageOptions> options, TimeProvider time, ILogger<RetentionJob> logger) : IInvocable
{
    internal const int BatchSize = 500;

    public Task Invoke()
    {
        using var held = store.TryLock("retention");
        if (held is null) return Task.CompletedTask;
        var (outbox, inbox) = RunAt(time.GetUtcNow());
        if (outbox + inbox > 0) LogPruned(outbox, inbox, options.Value.Retention);
        return Task.CompletedTask;
    }

    /// <summary>Prunes what was finished before <paramref name="now"/> less the retention; returns how many messages and requests went.</summary>
    public (int Outbox, int Inbox) RunAt(DateTimeOffset now)
    {
        var before = now - options.Value.Retention;
        var outbox = 0;
        // What a batch kept (an open instance's messages) stays in front of the rest: the next batch starts after it.
        var kept = 0;
        while (true)
        {
            var (deleted, seen) = store.PruneDelivered(before, kept, BatchSize);
            outbox += deleted;
            kept += seen - deleted;
            if (seen < BatchSize) break;
        }
        var inbox = 0;
        while (true)
        {
            var deleted = store.PruneFinishedInbound(before, BatchSize);
            inbox += deleted;
            if (deleted < BatchSize) break;
        }
        return (outbox, inbox);
    }

    [LoggerMessage(LogLevel.Information, "Pruned {Outbox} delivered outbox message(s) and {Inbox} finished inbound request(s) older than {Retention}")]
    private partial void LogPruned(int outbox, int inbox, TimeSpan retention);
}
