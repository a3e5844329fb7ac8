using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Core.Definitions;

/// <summary>
/// Working hours such as <c>Mon-Fri 09:00-17:00</c>, read in each recipient's own time zone so that
/// reminders reach people during their day, not the definition author's.
/// </summary>
[JsonConverter(typeof(BusinessHoursJsonConverter))]
public sealed class BusinessHours : IEquatable<BusinessHours>
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    private const string Usage = "write days and hours like 'Mon-Fri 09:00-17:00' or 'Mon,Wed,Fri 08:30-12:00'";

    private BusinessHours(string source, IReadOnlySet<DayOfWeek> days, TimeSpan start, TimeSpan end)
    {
        Source = source;
        Days = days;
        Start = start;
        End = end;
    }

    public string Source { get; }
    public IReadOnlySet<DayOfWeek> Days { get; }

    /// <summary>Local opening time of each working day.</summary>
    public TimeSpan Start { get; }

    /// <summary>Local closing time, exclusive; may be 24:00.</summary>
    public TimeSpan End { get; }

    public static bool TryParse(string text, out BusinessHours? hours, out string error)
    {
        hours = null;
        error = "";
        var source = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var parts = source.Split(' ');
        if (parts.Length != 2 || parts[0].Length == 0)
        {
            error = $"'{text.Trim()}' is not business hours; {Usage}";
            return false;
        }
        if (!TryParseDays(parts[0], out var days, out error)) return false;
        var times = parts[1].Split('-');
        if (times.Length != 2 || !TryParseTime(times[0], false, out var start) || !TryParseTime(times[1], true, out var end))
        {
            error = $"'{parts[1]}' is not a time range; write it like 09:00-17:00";
            return false;
        }
        if (end <= start)
        {
            error = $"the hours '{parts[1]}' must end after they start";
            return false;
        }
        hours = new BusinessHours(source, days, start, end);
        return true;
    }

    public static BusinessHours Parse(string text) =>
        TryParse(text, out var hours, out var error) ? hours! : throw new FormatException(error);

    public bool IsWithin(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
        return Days.Contains(local.DayOfWeek) && local.TimeOfDay >= Start && local.TimeOfDay < End;
    }

    /// <summary><paramref name="from"/> itself when inside working hours, else the next opening in <paramref name="zone"/>.</summary>
    public DateTimeOffset NextWorkingMoment(DateTimeOffset from, TimeZoneInfo zone)
    {
        if (IsWithin(from, zone)) return from;
        var localDate = TimeZoneInfo.ConvertTime(from, zone).Date;
        // Eight days always reach an opening: the days set is never empty, and today's may already have passed.
        for (var d = 0; d <= 8; d++)
        {
            var date = localDate.AddDays(d);
            if (!Days.Contains(date.DayOfWeek)) continue;
            foreach (var opening in Instants(DateTime.SpecifyKind(date + Start, DateTimeKind.Unspecified), zone))
            {
                if (opening >= from) return TimeZoneInfo.ConvertTime(opening, zone);
            }
        }
        return from;
    }

    public bool Equals(BusinessHours? other) => other is not null && string.Equals(Source, other.Source, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as BusinessHours);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Source);

    public override string ToString() => Source;

    /// <summary>The instants a local wall time denotes, earliest first: two when clocks fall back, the end of the gap when they spring forward.</summary>
    private static IEnumerable<DateTimeOffset> Instants(DateTime wall, TimeZoneInfo zone)
    {
        if (zone.IsAmbiguousTime(wall))
        {
            foreach (var offset in zone.GetAmbiguousTimeOffsets(wall).OrderByDescending(o => o))
                yield return new DateTimeOffset(wall, offset);
            yield break;
        }
        var valid = wall;
        // Gaps are whole minutes in every real zone and at most a day long (Samoa, 2011).
        for (var i = 0; i < 24 * 60 && zone.IsInvalidTime(valid); i++) valid = valid.AddMinutes(1);
        yield return new DateTimeOffset(valid, zone.GetUtcOffset(valid));
    }

    private static bool TryParseDays(string text, out IReadOnlySet<DayOfWeek> days, out string error)
    {
        var set = new HashSet<DayOfWeek>();
        days = set;
        error = "";
        foreach (var item in text.Split(','))
        {
            var range = item.Split('-');
            if (range.Length is < 1 or > 2 || !range.All(r => TryParseDay(r, out _)))
            {
                error = $"'{item}' is not a day or day range; use Mon, Tue, Wed, Thu, Fri, Sat, Sun, e.g. Mon-Fri";
                return false;
            }
            TryParseDay(range[0], out var first);
            var last = first;
            if (range.Length == 2) TryParseDay(range[1], out last);
            // Walk forward through the week so that ranges like Sun-Thu or Fri-Mon wrap around.
            for (var day = first; ; day = (DayOfWeek)(((int)day + 1) % 7))
            {
                set.Add(day);
                if (day == last) break;
            }
        }
        return true;
    }

    private static bool TryParseDay(string text, out DayOfWeek day)
    {
        day = DayOfWeek.Sunday;
        var t = text.Trim().ToLowerInvariant();
        if (t.Length < 3) return false;
        var index = Array.IndexOf(DayNames, t[..3]);
        var full = CultureInfo.InvariantCulture.DateTimeFormat.DayNames;
        if (index < 0 || (t.Length > 3 && !full[index].Equals(t, StringComparison.OrdinalIgnoreCase))) return false;
        day = (DayOfWeek)index;
        return true;
    }

    private static bool TryParseTime(string text, bool allowMidnightEnd, out TimeSpan time)
    {
        time = TimeSpan.Zero;
        if (allowMidnightEnd && text == "24:00")
        {
            time = TimeSpan.FromDays(1);
            return true;
        }
        if (!TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return false;
        time = t.ToTimeSpan();
        return true;
    }
}

/// <summary>Stores <see cref="BusinessHours"/> as its source text.</summary>
public sealed class BusinessHoursJsonConverter : JsonConverter<BusinessHours>
{
    public override BusinessHours? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("business hours must be stored as a string");
        var source = reader.GetString() ?? "";
        return BusinessHours.TryParse(source, out var hours, out var error)
            ? hours
            : throw new JsonException($"invalid business hours '{source}': {error}");
    }

    public override void Write(Utf8JsonWriter writer, BusinessHours value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Source);
}
