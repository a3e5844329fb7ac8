using System.Globalization;

namespace Orchestrator.Core.Definitions;

/// <summary>The short duration form of definition files: a positive whole number and one unit (<c>s m h d w</c>).</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var t = text.Trim();
        if (t.Length < 2) return false;
        var digits = t[..^1];
        if (!digits.All(char.IsAsciiDigit)) return false;
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0) return false;
        var unit = char.ToLowerInvariant(t[^1]) switch
        {
            's' => TimeSpan.FromSeconds(1),
            'm' => TimeSpan.FromMinutes(1),
            'h' => TimeSpan.FromHours(1),
            'd' => TimeSpan.FromDays(1),
            'w' => TimeSpan.FromDays(7),
            _ => TimeSpan.Zero,
        };
        if (unit == TimeSpan.Zero) return false;
        // Guard the multiplication: an absurd number must be a parse failure, not an overflow exception.
        if (n > TimeSpan.MaxValue.Ticks / unit.Ticks) return false;
        value = TimeSpan.FromTicks(unit.Ticks * n);
        return true;
    }

    /// <summary>The largest unit that divides the value exactly, so that <see cref="TryParse"/> reads it back unchanged.</summary>
    public static string Format(TimeSpan value)
    {
        if (value <= TimeSpan.Zero) return "0s";
        var week = TimeSpan.FromDays(7);
        if (value.Ticks % week.Ticks == 0) return Unit(value.Ticks / week.Ticks, 'w');
        if (value.Ticks % TimeSpan.TicksPerDay == 0) return Unit(value.Ticks / TimeSpan.TicksPerDay, 'd');
        if (value.Ticks % TimeSpan.TicksPerHour == 0) return Unit(value.Ticks / TimeSpan.TicksPerHour, 'h');
        if (value.Ticks % TimeSpan.TicksPerMinute == 0) return Unit(value.Ticks / TimeSpan.TicksPerMinute, 'm');
        // Sub-second remainders have no short form; round up so a deadline is never shortened.
        var seconds = (value.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        return Unit(seconds, 's');
    }

    private static string Unit(long n, char unit) => n.ToString(CultureInfo.InvariantCulture) + unit;
}
