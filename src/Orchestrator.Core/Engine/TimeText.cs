using System.Globalization;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Engine;

/// <summary>Times as a person reads them: in their own zone, else UTC.</summary>
public static class TimeText
{
    public static TimeZoneInfo ZoneOf(Person? person)
    {
        if (person?.TimeZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)) return zone;
        return TimeZoneInfo.Utc;
    }

    public static string Format(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var name = zone == TimeZoneInfo.Utc ? "UTC" : zone.Id;
        return local.ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture) + " " + name;
    }
}
