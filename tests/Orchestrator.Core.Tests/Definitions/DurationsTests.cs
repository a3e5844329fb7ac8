using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Tests.Definitions;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 15 * 60)]
    [InlineData("4h", 4 * 3600)]
    [InlineData("2d", 2 * 86400)]
    [InlineData("1w", 7 * 86400)]
    [InlineData(" 90m ", 90 * 60)]
    [InlineData("4H", 4 * 3600)]
    public void Valid_durations_parse_to_their_length(string text, long seconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4")]
    [InlineData("h")]
    [InlineData("0h")]
    [InlineData("-1h")]
    [InlineData("+1h")]
    [InlineData("1.5h")]
    [InlineData("4 h")]
    [InlineData("4y")]
    [InlineData("1h30m")]
    [InlineData("99999999999999999999w")]
    [InlineData("9999999999999w")]
    public void Malformed_durations_are_refused(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData(30, "30s")]
    [InlineData(15 * 60, "15m")]
    [InlineData(90 * 60, "90m")]
    [InlineData(4 * 3600, "4h")]
    [InlineData(36 * 3600, "36h")]
    [InlineData(2 * 86400, "2d")]
    [InlineData(7 * 86400, "1w")]
    [InlineData(14 * 86400, "2w")]
    [InlineData(10 * 86400, "10d")]
    public void Format_uses_the_largest_exact_unit(long seconds, string expected)
    {
        Assert.Equal(expected, Durations.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData("30s")]
    [InlineData("15m")]
    [InlineData("4h")]
    [InlineData("2d")]
    [InlineData("1w")]
    [InlineData("25h")]
    public void Format_reads_back_as_the_same_duration(string text)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(text, Durations.Format(value));
    }

    [Fact]
    public void A_fraction_of_a_second_is_rounded_up_so_a_deadline_is_never_shortened()
    {
        Assert.Equal("2s", Durations.Format(TimeSpan.FromMilliseconds(1500)));
    }
}
