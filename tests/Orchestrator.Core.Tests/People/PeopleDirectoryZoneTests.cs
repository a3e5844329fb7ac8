using Orchestrator.Core.People;

namespace Orchestrator.Core.Tests.People;

public sealed class PeopleDirectoryZoneTests
{
    private static readonly PeopleDirectory Directory = new([
        new Person { Email = "ann@example.com", Name = "Ann", TimeZone = "Asia/Tokyo" },
        new Person { Email = "ben@example.com", Name = "Ben" },
    ])
    {
        FallbackZone = email => email switch
        {
            "ben@example.com" or "zoe@example.com" => "America/New_York",
            "bad@example.com" => "Not/AZone",
            _ => null,
        },
    };

    [Theory]
    [InlineData("ann@example.com", "Asia/Tokyo")] // the directory wins over the fallback
    [InlineData("ben@example.com", "America/New_York")] // no zone in the directory: the Slack profile's
    [InlineData("zoe@example.com", "America/New_York")] // not in the directory at all
    [InlineData("bad@example.com", "UTC")] // an unknown zone id falls back to UTC
    [InlineData("nobody@example.com", "UTC")]
    public void A_persons_zone_comes_from_the_directory_else_the_fallback_else_UTC(string email, string expected) =>
        Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById(expected).Id, Directory.ZoneOf(email).Id);
}
