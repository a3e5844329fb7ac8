using System.Text.Json;
using Medallion.Threading.Postgres;
using Npgsql;

namespace Orchestrator.Host.Storage.Postgres;

internal sealed partial class PostgresStore
{
    // Every host listens on one channel of the database; a notification says who sent it, so a host does not act twice
    // on its own (it raises its own signals at once, without the round trip).
    private const string Channel = "orchestrator";
    private const string OutboxTopic = "outbox";
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _listener;

    public event Action<string, string>? Signal;

    /// <summary>A PostgreSQL advisory lock, held on a connection of its own until disposed (or until that connection dies).</summary>
    public IDisposable? TryLock(string name)
    {
        try
        {
            return new PostgresDistributedLock(new PostgresAdvisoryLockKey($"orchestrator:{name}", allowHashing: true), _data).TryAcquire(TimeSpan.Zero);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StoreUnavailableException($"PostgreSQL at {Location} cannot be reached: {e.Message}", e);
        }
    }

    public void Publish(string topic, string payload = "")
    {
        Run((connection, transaction) =>
        {
            Notify(connection, transaction, topic, payload);
            return 0;
        });
        Signal?.Invoke(topic, payload);
    }

    private void Notify(NpgsqlConnection connection, NpgsqlTransaction? transaction, string topic, string payload)
    {
        using var command = Command(connection, transaction, "SELECT pg_notify(@channel, @message)",
            ("channel", Channel), ("message", JsonSerializer.Serialize(new Notice(_origin, topic, payload))));
        command.ExecuteNonQuery();
    }

    private sealed record Notice(string Origin, string Topic, string Payload);

    /// <summary>One row per channel: the slot is taken by whichever host moves its time forward first.</summary>
    public TimeSpan? TryTakeChannelSlot(string channel, DateTimeOffset now, TimeSpan pace)
    {
        for (var attempt = 0; ; attempt++)
        {
            var taken = Execute("""
                INSERT INTO channel_pace (channel, last) VALUES (@channel, @now)
                ON CONFLICT (channel) DO UPDATE SET last = excluded.last WHERE channel_pace.last <= @threshold
                """, ("channel", channel), ("now", now), ("threshold", now - pace));
            if (taken == 1) return null;
            var last = Query("SELECT last FROM channel_pace WHERE channel = @channel", r => Time(r, "last"), ("channel", channel)).FirstOrDefault();
            if (last is { } at && at + pace - now is { Ticks: > 0 } wait) return wait;
            // Moved back in between (or gone): try again, then wait a moment rather than loop.
            if (attempt > 0) return TimeSpan.FromMilliseconds(1);
        }
    }

    // ---- listening -------------------------------------------------------------------------------------------

    private void StartListening()
    {
        _listener = Task.Factory.StartNew(() => ListenAsync(_stopping.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        // A host subscribed before it serves: what another host publishes from now on reaches it. A database that does not
        // answer yet does not hold up the start (the loop keeps trying).
        _listening.Task.Wait(TimeSpan.FromSeconds(30));
    }

    private void StopListening()
    {
        _stopping.Cancel();
        try
        {
            _listener?.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }
        _stopping.Dispose();
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        var first = true;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _data.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) => Received(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stopping);
                _listening.TrySetResult();
                // Reconnected: notifications sent meanwhile were lost, so look for new work now.
                if (!first) OutboxChanged?.Invoke();
                first = false;
                while (!stopping.IsCancellationRequested) await connection.WaitAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogListenFailed(e, Location);
                first = false;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Received(string message)
    {
        Notice? notice;
        try
        {
            notice = JsonSerializer.Deserialize<Notice>(message);
        }
        catch (JsonException)
        {
            return;
        }
        if (notice is null || notice.Origin == _origin) return;
        try
        {
            if (notice.Topic == OutboxTopic) OutboxChanged?.Invoke();
            else Signal?.Invoke(notice.Topic, notice.Payload);
        }
        catch (Exception e)
        {
            LogSignalFailed(e, notice.Topic);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Lost the notification connection to PostgreSQL at {Location}; reconnecting")]
    private partial void LogListenFailed(Exception ex, string location);

    [LoggerMessage(LogLevel.Error, "A handler of the signal {Topic} failed")]
    private partial void LogSignalFailed(Exception ex, string topic);
}
