using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Hosting;
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

/// <summary>
/// Which messages a dispatcher delivers: the kinds named, or with <see cref="Except"/> every other kind. Each lane has its own
/// dispatcher, so a slow webhook receiver never holds up a card, and a backlog of cards never holds up an answer to a command.
/// </summary>
internal sealed record OutboxLane(string Name, IReadOnlyList<string> Kinds, bool Except = false)
{
    /// <summary>Private answers to a person's own command or click (response_url, modals whose trigger expires in seconds).</summary>
    public static readonly OutboxLane Replies = new("replies", [OutboxKinds.SlackRespond, OutboxKinds.SlackOpenView]);
    public static readonly OutboxLane Webhooks = new("webhooks", [OutboxKinds.Webhook]);

    /// <summary>Cards, notes, App Home redraws: everything the other lanes do not take.</summary>
    public static readonly OutboxLane Chat = new("chat", [.. Replies.Kinds, .. Webhooks.Kinds], Except: true);
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

    /// <summary>How many messages one lane delivers at once; never two of one instance, nor two to one recipient.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 8;

    /// <summary>
    /// How long a host holds a message or request it took: if it dies meanwhile, another host takes it after this. Longer
    /// than any one call may take (Slack and Teams calls time out well within it).
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Delivers the outbox in order per instance: woken at once after each commit and after each delivery, and by a periodic
/// sweep that picks up retries and whatever a previous process left behind. A message is marked delivered only after its
/// call succeeded. Messages to different recipients go out side by side, so one person's backlog (Slack's per-channel
/// pace) or one slow call never holds up anyone else's.
/// </summary>
internal sealed partial class OutboxDispatcher(
    IOutbox store,
    ICards cards,
    HostIdentity host,
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
    private readonly OutboxLane _lane = lane ?? OutboxLane.Chat;

    // What is being delivered now, and which instances and channels it holds; only passes and finished deliveries change them.
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Task> _inFlight = [];
    private readonly HashSet<string> _busyGroups = new(StringComparer.Ordinal);
    private readonly HashSet<string> _busyRecipients = new(StringComparer.Ordinal);

    // A recipient whose channel must wait (Slack's pace), and until when: their messages are not taken meanwhile.
    private readonly Dictionary<string, DateTimeOffset> _pacedUntil = new(StringComparer.OrdinalIgnoreCase);

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
        // The first pass may be long (a backlog after a restart): let the host finish starting and answer /healthz meanwhile.
        await Task.Yield();
        store.OutboxChanged += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    RunOnce(stoppingToken);
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
            Task[] running;
            lock (_gate) running = [.. _inFlight.Values];
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One pass: takes (claims, so no other host delivers them meanwhile) the messages of the lane that may go now (the first
    /// pending one of its instance, its recipient not busy here nor waiting for Slack's pace) and starts delivering each;
    /// returns how many it started.
    /// </summary>
    public int RunOnce(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        int room;
        string[] skip;
        lock (_gate)
        {
            foreach (var done in _pacedUntil.Where(p => p.Value <= now).Select(p => p.Key).ToList()) _pacedUntil.Remove(done);
            room = Math.Max(1, _options.MaxConcurrentDeliveries) - _inFlight.Count;
            skip = [.. _busyRecipients, .. _pacedUntil.Keys];
        }
        if (room <= 0) return 0;
        var started = 0;
        foreach (var item in store.ClaimOutbox(_lane.Kinds, _lane.Except, host.Id, now, _options.Lease, room, skip))
        {
            var group = item.InstanceId ?? item.Key;
            lock (_gate)
            {
                if (_busyGroups.Contains(group) || (item.Recipient is { } to && _busyRecipients.Contains(to)))
                {
                    // Two heads for one recipient in one claim: the second waits for the first, as it would have here.
                    store.ReleaseOutbox(item.Id, item.NextAttempt);
                    continue;
                }
                _busyGroups.Add(group);
                if (item.Recipient is not null) _busyRecipients.Add(item.Recipient);
                _inFlight[item.Id] = Task.Run(() => DeliverThenReleaseAsync(item, group, cancellationToken), CancellationToken.None);
            }
            started++;
        }
        return started;
    }

    private async Task DeliverThenReleaseAsync(OutboxItem item, string group, CancellationToken cancellationToken)
    {
        try
        {
            var deferred = await DeliverAsync(item, cancellationToken);
            if (deferred is { } wait)
            {
                if (item.Recipient is null) store.MarkDeferred(item.Id, time.GetUtcNow() + wait);
                else
                {
                    store.ReleaseOutbox(item.Id, item.NextAttempt);
                    lock (_gate) _pacedUntil[item.Recipient] = time.GetUtcNow() + wait;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogSweepFailed(ex);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(item.Id);
                _busyGroups.Remove(group);
                if (item.Recipient is not null) _busyRecipients.Remove(item.Recipient);
            }
            Wake();
        }
    }

    /// <summary>Delivers one message and records the outcome; returns how long it must wait when its channel is not ready yet.</summary>
    private async Task<TimeSpan?> DeliverAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        var handler = _handlers.FirstOrDefault(h => h.CanHandle(item));
        try
        {
            if (handler is null) throw new DeliveryException($"nothing can deliver a '{item.Kind}' message", transient: false);
            await handler.HandleAsync(item, cancellationToken);
            store.MarkDelivered(item.Id, time.GetUtcNow());
            metrics.Delivered(item.Kind);
            LogDelivered(item.Kind, item.Key, item.InstanceId);
            if (AskedCard(item) is { } card && cards.FindCard(card.InstanceId, card.AssignmentId) is { } posted)
                engine.RecordDelivery(card.InstanceId, card.AssignmentId, posted.Platform);
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (DeliveryDeferredException deferred)
        {
            return deferred.Wait;
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
            return null;
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
