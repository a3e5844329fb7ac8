using System.Text.Json;
using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Tests.Definitions;

public sealed class ConditionTests
{
    private static readonly Dictionary<string, string> Inputs = new()
    {
        ["amount"] = "1200.50",
        ["small"] = "5",
        ["purpose"] = "Conference",
        ["start"] = "2026-03-29",
        ["urgent"] = "true",
        ["approved"] = "false",
        ["zero"] = "0",
        ["empty"] = "",
        ["cost-center"] = "CC-7",
    };

    private static Condition Parse(string source)
    {
        Assert.True(Condition.TryParse(source, out var condition, out var error), error);
        return condition!;
    }

    [Theory]
    [InlineData("amount > 1000", true)]
    [InlineData("amount > 1200.5", false)]
    [InlineData("amount >= 1200.5", true)]
    [InlineData("amount < 1000", false)]
    [InlineData("amount <= 1200.50", true)]
    [InlineData("amount == 1200.5", true)]
    [InlineData("amount = 1200.5", true)]
    [InlineData("amount != 1200.5", false)]
    [InlineData("small < 10", true)]
    [InlineData("small > 10", false)]
    [InlineData("small > -3", true)]
    [InlineData("1000 < amount", true)]
    [InlineData("small > '10'", false)]
    public void Numbers_compare_numerically(string source, bool expected)
    {
        Assert.Equal(expected, Parse(source).Evaluate(Inputs));
    }

    [Theory]
    [InlineData("start > 2026-03-01", true)]
    [InlineData("start < '2026-12-31'", true)]
    [InlineData("start == \"2026-03-29\"", true)]
    [InlineData("start >= 2026-04-01", false)]
    public void Dates_compare_as_dates(string source, bool expected)
    {
        Assert.Equal(expected, Parse(source).Evaluate(Inputs));
    }

    [Theory]
    [InlineData("purpose == 'conference'", true)]
    [InlineData("purpose == \"CONFERENCE\"", true)]
    [InlineData("purpose != 'Travel'", true)]
    [InlineData("purpose > 'Apple'", true)]
    [InlineData("cost-center == 'cc-7'", true)]
    [InlineData("urgent == true", true)]
    [InlineData("approved == false", true)]
    public void Other_text_compares_ignoring_case(string source, bool expected)
    {
        Assert.Equal(expected, Parse(source).Evaluate(Inputs));
    }

    [Theory]
    [InlineData("amount > 1000 and purpose == 'Conference'", true)]
    [InlineData("amount > 5000 or purpose == 'Conference'", true)]
    [InlineData("amount > 5000 or purpose == 'Travel'", false)]
    [InlineData("not amount > 5000", true)]
    [InlineData("not (amount > 1000 and small > 1)", false)]
    [InlineData("small > 1 or amount > 1 and purpose == 'x'", true)]
    [InlineData("(small > 1 or amount > 1) and purpose == 'x'", false)]
    [InlineData("not not urgent", true)]
    [InlineData("AMOUNT > 1000 AND NOT approved", true)]
    [InlineData("true", true)]
    [InlineData("false or true", true)]
    public void Boolean_operators_follow_the_usual_precedence(string source, bool expected)
    {
        Assert.Equal(expected, Parse(source).Evaluate(Inputs));
    }

    [Theory]
    [InlineData("urgent", true)]
    [InlineData("purpose", true)]
    [InlineData("approved", false)]
    [InlineData("zero", false)]
    [InlineData("empty", false)]
    [InlineData("vendor", false)]
    [InlineData("not vendor", true)]
    public void A_bare_identifier_is_true_when_set_and_not_false_or_zero(string source, bool expected)
    {
        Assert.Equal(expected, Parse(source).Evaluate(Inputs));
    }

    [Theory]
    [InlineData("vendor == 'x'")]
    [InlineData("vendor != 'x'")]
    [InlineData("vendor > 0")]
    [InlineData("vendor < 0")]
    public void A_comparison_with_a_missing_input_is_false(string source)
    {
        Assert.False(Parse(source).Evaluate(Inputs));
    }

    [Fact]
    public void Input_names_are_matched_ignoring_case()
    {
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal) { ["Amount"] = "2000" };
        Assert.True(Parse("amount > 1000").Evaluate(inputs));
    }

    [Theory]
    [InlineData("amount > 1000", "amount")]
    [InlineData("amount > 1000 and (purpose == 'x' or amount < 5) and not urgent", "amount,purpose,urgent")]
    [InlineData("'a' == 'a' and true", "")]
    [InlineData("cost-center == 'x'", "cost-center")]
    public void Identifiers_lists_each_input_once(string source, string expected)
    {
        Assert.Equal(expected, string.Join(',', Parse(source).Identifiers));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("amount >", "ends too early")]
    [InlineData("amount > 1000 and", "ends too early")]
    [InlineData("(amount > 1000", "expected ')'")]
    [InlineData("amount > 1000)", "unexpected ')'")]
    [InlineData("amount >> 1000", "unexpected '>'")]
    [InlineData("1 < amount < 5", "cannot be chained")]
    [InlineData("purpose == 'open", "no closing '")]
    [InlineData("amount & 1", "unexpected '&'")]
    [InlineData("!urgent", "write 'not'")]
    [InlineData("and amount", "expected a value")]
    [InlineData("amount 1000", "unexpected '1000'")]
    [InlineData("1.2.3 > 1", "not a number")]
    public void Malformed_conditions_are_refused_with_a_reason(string source, string reason)
    {
        Assert.False(Condition.TryParse(source, out var condition, out var error));
        Assert.Null(condition);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Source_is_the_trimmed_text_as_written()
    {
        Assert.Equal("amount  > 1000", Parse("  amount  > 1000 ").Source);
    }

    [Fact]
    public void A_condition_round_trips_through_json_as_its_source()
    {
        var condition = Parse("amount > 1000 and purpose != 'x'");
        var json = JsonSerializer.Serialize(condition);
        Assert.Equal(JsonSerializer.Serialize("amount > 1000 and purpose != 'x'"), json);
        var back = JsonSerializer.Deserialize<Condition>(json);
        Assert.Equal(condition, back);
        Assert.True(back!.Evaluate(Inputs));
    }

    [Fact]
    public void A_step_with_a_condition_round_trips_through_json()
    {
        var step = new StepDefinition { Id = "finance", Title = "t", When = Parse("amount > 1000") };
        var back = JsonSerializer.Deserialize<StepDefinition>(JsonSerializer.Serialize(step));
        Assert.Equal("amount > 1000", back!.When!.Source);
        Assert.Contains("\"When\":\"amount \\u003E 1000\"", JsonSerializer.Serialize(step));
    }

    [Fact]
    public void Invalid_condition_text_in_json_is_a_json_error()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Condition>("\"amount >\""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Condition>("42"));
    }
}
