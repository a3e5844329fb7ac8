namespace Orchestrator.Core.Simulation;

/// <summary>A clock that only moves when the dry run moves it, so a month of policy runs in an instant.</summary>
internal sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start.ToUniversalTime();

    public override DateTimeOffset GetUtcNow() => _now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public void MoveTo(DateTimeOffset at)
    {
        // The engine's due times only ever move forward; going back would replay what was already done.
        if (at < _now) throw new ArgumentOutOfRangeException(nameof(at), at, $"The clock is already at {_now:u}.");
        // Due times may carry the recipient's offset (the next opening in their zone); a UTC clock must not.
        _now = at.ToUniversalTime();
    }
}
