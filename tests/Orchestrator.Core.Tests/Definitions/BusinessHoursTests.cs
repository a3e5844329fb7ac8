using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Tests.Definitions;

public sealed class BusinessHoursTests
{
    private static BusinessHours Hours(string text)
    {
        Assert.True(BusinessHours.TryParse(text, out var hours, out var error), error);
        return hours!;
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    [Theory]
    [InlineData("Mon-Fri 09:00-17:00", "Monday,Tuesday,Wednesday,Thursday,Friday", "09:00", "17:00")]
    [InlineData("Mon,Wed,Fri 08:30-12:00", "Monday,Wednesday,Friday", "08:30", "12:00")]
    [InlineData("Sat-Sun 10:00-14:00", "Sunday,Saturday", "10:00", "14:00")]
    [InlineData("Sun-Thu 09:00-18:00", "Sunday,Monday,Tuesday,Wednesday,Thursday", "09:00", "18:00")]
    [InlineData("Fri-Mon 07:00-24:00", "Sunday,Monday,Friday,Saturday", "07:00", "1.00:00")]
    [InlineData("mon-fri 9:00-17:00", "Monday,Tuesday,Wednesday,Thursday,Friday", "09:00", "17:00")]
    [InlineData("Monday,Tue-Wed  08:00-10:00", "Monday,Tuesday,Wednesday", "08:00", "10:00")]
    [InlineData("Wed 00:00-23:59", "Wednesday", "00:00", "23:59")]
    public void Days_and_hours_are_parsed(string text, string days, string start, string end)
    {
        var hours = Hours(text);
        Assert.Equal(days, string.Join(',', hours.Days.Order()));
        Assert.Equal(TimeSpan.Parse(start, CultureInfo.InvariantCulture), hours.Start);
        Assert.Equal(TimeSpan.Parse(end, CultureInfo.InvariantCulture), hours.End);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Mon-Fri")]
    [InlineData("09:00-17:00")]
    [InlineData("Mon-Fri 9-17")]
    [InlineData("Mon-Fri 17:00-09:00")]
    [InlineData("Mon-Fri 09:00-09:00")]
    [InlineData("Mon-Fri 09:00-25:00")]
    [InlineData("Mon-Fri 24:00-24:00")]
    [InlineData("Mo-Fr 09:00-17:00")]
    [InlineData("Mon-Fri-Sat 09:00-17:00")]
    [InlineData("Mon, 09:00-17:00")]
    [InlineData("Mon-Fri 09:00-17:00 extra")]
    [InlineData("Funday 09:00-17:00")]
    public void Malformed_business_hours_are_refused_with_a_reason(string text)
    {
        Assert.False(BusinessHours.TryParse(text, out var hours, out var error));
        Assert.Null(hours);
        Assert.NotEmpty(error);
    }

    [Theory]
    // Berlin, a normal week and both 2026 change-over weekends (29 March, 25 October).
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-25T10:00:00+01:00", true)]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-25T08:59:59+01:00", false)]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-25T17:00:00+01:00", false)]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-28T12:00:00+01:00", false)]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-30T07:30:00Z", true)]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-30T06:30:00Z", false)]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-10-26T08:30:00Z", true)]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-10-26T07:30:00Z", false)]
    [InlineData("Europe/Berlin", "Sun 02:30-04:00", "2026-03-29T01:15:00Z", true)]
    [InlineData("Europe/Berlin", "Sun 02:30-04:00", "2026-10-25T00:45:00Z", true)]
    [InlineData("Europe/Berlin", "Sun 02:30-04:00", "2026-10-25T01:45:00Z", true)]
    // New York changes on 8 March and 1 November 2026.
    [InlineData("America/New_York", "Mon-Fri 09:00-17:00", "2026-03-09T13:30:00Z", true)]
    [InlineData("America/New_York", "Mon-Fri 09:00-17:00", "2026-03-06T13:30:00Z", false)]
    [InlineData("America/New_York", "Mon-Fri 09:00-17:00", "2026-03-06T14:30:00Z", true)]
    [InlineData("America/New_York", "Mon-Fri 09:00-17:00", "2026-10-30T21:30:00Z", false)]
    // Tokyo keeps +09:00 all year; its week is the one of the local date, not of UTC.
    [InlineData("Asia/Tokyo", "Sun-Thu 09:00-18:00", "2026-03-29T00:30:00Z", true)]
    [InlineData("Asia/Tokyo", "Sun-Thu 09:00-18:00", "2026-03-27T01:00:00Z", false)]
    [InlineData("Asia/Tokyo", "Mon-Fri 09:00-17:00", "2026-03-29T23:59:00Z", false)]
    [InlineData("Asia/Tokyo", "Mon-Fri 09:00-17:00", "2026-03-30T00:00:00Z", true)]
    public void IsWithin_reads_the_instant_in_the_recipients_zone(string zone, string hours, string instant, bool expected)
    {
        Assert.Equal(expected, Hours(hours).IsWithin(At(instant), Zone(zone)));
    }

    [Theory]
    // Inside working hours the answer is the instant itself.
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-25T10:00:00+01:00", "2026-03-25T10:00:00+01:00")]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-25T07:00:00+01:00", "2026-03-25T09:00:00+01:00")]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-25T17:00:00+01:00", "2026-03-26T09:00:00+01:00")]
    // Friday evening before the spring change: Monday 09:00 is already summer time, 07:00 UTC not 08:00.
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-27T18:00:00+01:00", "2026-03-30T09:00:00+02:00")]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-03-29T01:30:00Z", "2026-03-30T07:00:00Z")]
    // Friday evening before the autumn change: Monday 09:00 is winter time again.
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-10-23T17:00:00+02:00", "2026-10-26T09:00:00+01:00")]
    [InlineData("Europe/Berlin", "Mon-Fri 09:00-17:00", "2026-10-25T01:30:00Z", "2026-10-26T08:00:00Z")]
    // An opening inside the spring gap (02:00-03:00 does not exist) moves to 03:00 summer time.
    [InlineData("Europe/Berlin", "Sun 02:30-04:00", "2026-03-28T12:00:00+01:00", "2026-03-29T03:00:00+02:00")]
    // An opening in the repeated autumn hour is its first occurrence.
    [InlineData("Europe/Berlin", "Sun 02:30-04:00", "2026-10-24T12:00:00+02:00", "2026-10-25T02:30:00+02:00")]
    [InlineData("Europe/Berlin", "Mon,Wed,Fri 08:30-12:00", "2026-03-31T09:00:00+02:00", "2026-04-01T08:30:00+02:00")]
    [InlineData("Europe/Berlin", "Mon,Wed,Fri 08:30-12:00", "2026-04-03T12:00:00+02:00", "2026-04-06T08:30:00+02:00")]
    // New York: 8 March and 1 November 2026.
    [InlineData("America/New_York", "Mon-Fri 09:00-17:00", "2026-03-06T17:30:00-05:00", "2026-03-09T09:00:00-04:00")]
    [InlineData("America/New_York", "Mon-Fri 09:00-17:00", "2026-03-08T12:00:00Z", "2026-03-09T13:00:00Z")]
    [InlineData("America/New_York", "Mon-Fri 09:00-17:00", "2026-10-30T20:00:00-04:00", "2026-11-02T09:00:00-05:00")]
    [InlineData("America/New_York", "Mon-Fri 09:00-17:00", "2026-10-24T12:00:00Z", "2026-10-26T13:00:00Z")]
    [InlineData("America/New_York", "Sun 02:00-05:00", "2026-03-07T12:00:00-05:00", "2026-03-08T03:00:00-04:00")]
    [InlineData("America/New_York", "Sun 01:30-05:00", "2026-10-31T12:00:00-04:00", "2026-11-01T01:30:00-04:00")]
    // The European weekends do not move New York's opening.
    [InlineData("America/New_York", "Mon-Fri 09:00-17:00", "2026-03-28T12:00:00Z", "2026-03-30T13:00:00Z")]
    // Tokyo: no daylight saving; a Sun-Thu week wraps over the weekend.
    [InlineData("Asia/Tokyo", "Sun-Thu 09:00-18:00", "2026-03-27T10:00:00+09:00", "2026-03-29T09:00:00+09:00")]
    [InlineData("Asia/Tokyo", "Sun-Thu 09:00-18:00", "2026-10-22T18:00:00+09:00", "2026-10-25T09:00:00+09:00")]
    [InlineData("Asia/Tokyo", "Mon-Fri 09:00-17:00", "2026-03-27T08:00:00Z", "2026-03-30T00:00:00Z")]
    [InlineData("Asia/Tokyo", "Sat-Sun 10:00-14:00", "2026-03-30T10:00:00+09:00", "2026-04-04T10:00:00+09:00")]
    [InlineData("Asia/Tokyo", "Sat-Sun 10:00-14:00", "2026-10-24T14:00:00+09:00", "2026-10-25T10:00:00+09:00")]
    [InlineData("Asia/Tokyo", "Wed 09:00-10:00", "2026-10-21T10:00:00+09:00", "2026-10-28T09:00:00+09:00")]
    public void NextWorkingMoment_is_the_next_local_opening(string zone, string hours, string from, string expected)
    {
        var tz = Zone(zone);
        var next = Hours(hours).NextWorkingMoment(At(from), tz);
        Assert.Equal(At(expected).UtcDateTime, next.UtcDateTime);
        Assert.Equal(tz.GetUtcOffset(next), next.Offset);
        Assert.True(Hours(hours).IsWithin(next, tz));
    }

    [Fact]
    public void Business_hours_round_trip_through_json_as_their_source()
    {
        var hours = Hours("Mon-Fri 09:00-17:00");
        var json = JsonSerializer.Serialize(hours);
        Assert.Equal("\"Mon-Fri 09:00-17:00\"", json);
        Assert.Equal(hours, JsonSerializer.Deserialize<BusinessHours>(json));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<BusinessHours>("\"Mon-Fri\""));
    }

    [Fact]
    public void A_definition_with_business_hours_round_trips_through_json()
    {
        var definition = new WorkflowDefinition { Id = "x", Name = "X", Version = "v", BusinessHours = Hours("Sun-Thu 09:00-18:00") };
        var back = JsonSerializer.Deserialize<WorkflowDefinition>(JsonSerializer.Serialize(definition));
        Assert.Equal("Sun-Thu 09:00-18:00", back!.BusinessHours!.Source);
    }
}
