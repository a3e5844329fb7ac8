using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Delivery;

/// <summary>Delivers one kind of outbox message (a Slack call, a Teams call); throws <see cref="DeliveryException"/> on failure.</summary>
internal interface IOutboxHandler
{
    bool CanHandle(OutboxItem item);

    Task HandleAsync(OutboxItem item, CancellationToken cancellationToken);
}

/// <summary>A delivery that did not happen; transient ones are retried, the others fail at once.</summary>
internal sealed class DeliveryException(string message, bool transient, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Transient { get; } = transient;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>Not now, and not a failure: the message waits (Slack's per-channel pace) without using up an attempt.</summary>
internal sealed class DeliveryDeferredException(TimeSpan wait) : Exception($"deferred for {wait.TotalMilliseconds:F0} ms")
{
    public TimeSpan Wait { get; } = wait;
}

/// <summary>Which messages a dispatcher delivers: webhooks have their own, so a slow receiver never holds up a card.</summary>
internal sealed record OutboxLane(string Name, bool TakesWebhooks)
{
    public static readonly OutboxLane Chat = new("chat", false);
    public static readonly OutboxLane Webhooks = new("webhooks", true);
}

internal sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Attempts before a message is marked failed and surfaced.</summary>
    public int MaxAttempts { get; set; } = 10;
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the outbox is swept even when no commit woke the dispatcher (retries fall due this way).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Least time between two posts into one Slack channel (Slack allows about one message per second per channel).</summary>
    public TimeSpan ChannelPace { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Delivers the outbox in order per instance: woken at once after each commit, and by a periodic sweep that picks up
/// retries and whatever a previous process left behind. A message is marked delivered only after its call succeeded.
/// </summary>
internal sealed partial class OutboxDispatcher(
    LiteDbStore store,
    IEnumerable<IOutboxHandler> handlers,
    TimeProvider time,
    IOptions<DeliveryOptions> options,
    DeliveryFailures failures,
    WorkflowEngine engine,
    Observability.OrchestratorMetrics metrics,
    ILogger<OutboxDispatcher> logger,
    OutboxLane? lane = null) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly DeliveryOptions _options = options.Value;
    private readonly IOutboxHandler[] _handlers = handlers.ToArray();

    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try { _wake.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.OutboxChanged += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(ex);
                }
                await _wake.WaitAsync(_options.SweepInterval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.OutboxChanged -= Wake;
        }
    }

    /// <summary>One pass over the pending messages; returns how many were delivered.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var delivered = 0;
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in store.PendingOutbox(1000, (lane ?? OutboxLane.Chat).TakesWebhooks))
        {
            var group = item.InstanceId ?? item.Key;
            if (blocked.Contains(group)) continue;
            var now = time.GetUtcNow();
            if (item.NextAttempt > now)
            {
                blocked.Add(group);
                continue;
            }
            if (await DeliverAsync(item, cancellationToken)) delivered++;
            else blocked.Add(group);
        }
        return delivered;
    }

    private async Task<bool> DeliverAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        var handler = _handlers.FirstOrDefault(h => h.CanHandle(item));
        try
        {
            if (handler is null) throw new DeliveryException($"nothing can deliver a '{item.Kind}' message", transient: false);
            await handler.HandleAsync(item, cancellationToken);
            store.MarkDelivered(item.Id, time.GetUtcNow());
            metrics.Delivered(item.Kind);
            LogDelivered(item.Kind, item.Key, item.InstanceId);
            if (AskedCard(item) is { } card && store.FindCard(card.InstanceId, card.AssignmentId) is { } posted)
                engine.RecordDelivery(card.InstanceId, card.AssignmentId, posted.Platform);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (DeliveryDeferredException deferred)
        {
            store.MarkDeferred(item.Id, time.GetUtcNow() + deferred.Wait);
            return false;
        }
        catch (Exception ex)
        {
            var failure = ex as DeliveryException ?? new DeliveryException(ex.Message, transient: true, inner: ex);
            var attempt = item.Attempts + 1;
            if (failure.Transient && attempt < _options.MaxAttempts)
            {
                var delay = Backoff(attempt);
                if (failure.RetryAfter is { } after && after > delay) delay = after;
                store.MarkRetry(item.Id, time.GetUtcNow() + delay, failure.Message);
                LogRetry(item.Kind, item.Key, item.InstanceId, attempt, delay.TotalSeconds, failure.Message);
            }
            else
            {
                store.MarkFailed(item.Id, failure.Message);
                metrics.Failed(item.Kind);
                LogFailed(item.Kind, item.Key, item.InstanceId, attempt, failure.Message);
                failures.Surface(item, failure.Message);
                if (AskedCard(item) is { } card) engine.RecordDelivery(card.InstanceId, card.AssignmentId, null, failure.Message);
            }
            return false;
        }
    }

    private static CardModel? AskedCard(OutboxItem item) =>
        item.Kind == OutboxKinds.Effect && item.InstanceId is not null && item.Payload.Contains("\"effect\":\"ask\"", StringComparison.Ordinal)
            ? (JsonSerializer.Deserialize<Effect>(item.Payload, StoreJson.Options) as AskDecision)?.Card
            : null;

    private TimeSpan Backoff(int attempt)
    {
        var seconds = _options.FirstRetryDelay.TotalSeconds * Math.Pow(2, attempt - 1);
        return TimeSpan.FromSeconds(Math.Min(seconds, _options.MaxRetryDelay.TotalSeconds));
    }

    [LoggerMessage(LogLevel.Debug, "Delivered {Kind} {Key} (instance {InstanceId})")]
    private partial void LogDelivered(string kind, string key, string? instanceId);

    [LoggerMessage(LogLevel.Warning, "Delivery of {Kind} {Key} (instance {InstanceId}) failed on attempt {Attempt}; retrying in {DelaySeconds}s: {Error}")]
    private partial void LogRetry(string kind, string key, string? instanceId, int attempt, double delaySeconds, string error);

    [LoggerMessage(LogLevel.Error, "Delivery of {Kind} {Key} (instance {InstanceId}) failed for good after {Attempt} attempts: {Error}")]
    private partial void LogFailed(string kind, string key, string? instanceId, int attempt, string error);

    [LoggerMessage(LogLevel.Error, "An outbox sweep failed")]
    private partial void LogSweepFailed(Exception ex);
}
