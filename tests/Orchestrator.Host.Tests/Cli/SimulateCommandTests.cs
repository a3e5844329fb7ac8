using Orchestrator.Host.Tests.Infrastructure;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Orchestrator.Host.Tests.Cli;

/// <summary>`Orchestrator.Host simulate …` as an admin runs it against the sample manifests: a real process, its output and exit code.</summary>
public sealed class SimulateCommandTests
{
    [Fact]
    public async Task A_purchase_nobody_answers_shows_the_nudges_and_the_escalation_to_Frank_Fischer()
    {
        var (code, output, error) = await HostProcess.Run("simulate", "purchase", "--inputs", "amount=1500", "item=Desk", "--answer", "never");

        Assert.True(code == 0, error);
        Assert.Contains("Dry run of purchase (Purchase request) for Alice Adams", output);
        Assert.Contains("card to Bob Brown (manager", output);
        Assert.Contains("nudge to Bob Brown", output);
        Assert.Contains("handoff Bob Brown → Frank Fischer", output);
        Assert.Contains("card to Frank Fischer (manager", output);
        Assert.Contains("handoff Frank Fischer → Carol Chen", output);
        Assert.Contains("Still open when the horizon of 30d ran out.", output);
        Assert.Empty(error);
    }

    [Fact]
    public async Task Each_line_gives_the_time_in_UTC_and_in_the_holders_zone()
    {
        var (code, output, error) = await HostProcess.Run(
            "simulate", "purchase", "--inputs", "amount=1500", "item=Desk", "--answer", "never", "--start", "2026-03-02T08:00Z");

        Assert.True(code == 0, error);
        Assert.Matches(Line("Mon 2 Mar 12:00", "Mon 2 Mar 13:00 Europe/Berlin", "Bob Brown", "nudge to Bob Brown"), output);
        Assert.Matches(Line("Tue 3 Mar 08:00", "Tue 3 Mar 09:00 Europe/Berlin", "Frank Fischer", "handoff Bob Brown → Frank Fischer"), output);
        Assert.Matches(Line("Wed 4 Mar 14:00", "Wed 4 Mar 09:00 America/New_York", "Carol Chen", "nudge to Carol Chen"), output);
    }

    [Fact]
    public async Task Owners_who_answer_after_a_while_complete_the_request()
    {
        var (code, output, error) = await HostProcess.Run(
            "simulate", "purchase", "--inputs", "amount=1500", "item=Desk", "--answer", "after=2h", "--start", "2026-03-02T08:00Z");

        Assert.True(code == 0, error);
        Assert.Matches(Line("Mon 2 Mar 10:00", "Mon 2 Mar 10:00 Europe/London, Mon 2 Mar 19:00 Asia/Tokyo", "Dave Diaz, Erin Evans", "approved by Bob Brown"), output);
        Assert.Matches(Line("Mon 2 Mar 12:00", "completed"), output);
        Assert.Contains("Completed after 4h 0m.", output);
    }

    [Theory]
    [InlineData("unknown workflow 'purchse'; valid workflows: purchase, access, expense", "simulate", "purchse")]
    [InlineData("'5x' is not a duration", "simulate", "purchase", "--inputs", "amount=1500", "item=Desk", "--answer", "after=5x")]
    [InlineData("'sometimes' is not an answer policy", "simulate", "purchase", "--inputs", "amount=1500", "item=Desk", "--answer", "sometimes")]
    [InlineData("input amount: amount must be a number, got 'lots'", "simulate", "purchase", "--inputs", "amount=lots", "item=Desk")]
    [InlineData("input item: missing", "simulate", "purchase", "--inputs", "amount=1500")]
    [InlineData("'amount' is not field=value", "simulate", "purchase", "--inputs", "amount")]
    [InlineData("requester nobody@example.com is not in", "simulate", "purchase", "--inputs", "amount=1500", "item=Desk", "--requester", "nobody@example.com")]
    [InlineData("simulate needs the id of a workflow", "simulate")]
    public async Task Bad_input_is_explained_on_stderr_and_exits_with_two(string message, params string[] args)
    {
        var (code, output, error) = await HostProcess.Run(args);

        Assert.Equal(2, code);
        Assert.Contains(message, error);
        Assert.Empty(output);
    }

    /// <summary>One table row: the cells in order, separated by the padding of the columns.</summary>
    private static Regex Line(params string[] cells) =>
        new("(?m)^" + string.Join(@"\s+", cells.Select(Regex.Escape)) + "$");
}
