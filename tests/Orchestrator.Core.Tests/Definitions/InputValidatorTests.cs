using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Tests.Definitions;

public sealed class InputValidatorTests
{
    private static readonly WorkflowDefinition Definition = new()
    {
        Id = "demo",
        Name = "Demo",
        Version = "v1",
        Inputs =
        [
            new InputDefinition { Id = "amount", Label = "Amount (EUR)", Type = InputType.Number, Required = true },
            new InputDefinition { Id = "purpose", Label = "Purpose", Type = InputType.Text, Required = true },
            new InputDefinition { Id = "until", Label = "Until", Type = InputType.Date },
            new InputDefinition { Id = "system", Label = "System", Type = InputType.Choice, Options = ["GitHub", "aws", "Salesforce"] },
            new InputDefinition { Id = "buddy", Label = "Buddy", Type = InputType.Person },
        ],
    };

    private static InputValidation Validate(params (string Key, string Value)[] raw) =>
        InputValidator.Validate(Definition, raw.ToDictionary(p => p.Key, p => p.Value));

    [Theory]
    [InlineData("amount", "1200", "1200")]
    [InlineData("amount", "1200.50", "1200.5")]
    [InlineData("amount", "1200.00", "1200")]
    [InlineData("amount", " -3.25 ", "-3.25")]
    [InlineData("amount", "0.000001", "0.000001")]
    [InlineData("amount", ".5", "0.5")]
    [InlineData("purpose", "  Team offsite  ", "Team offsite")]
    [InlineData("until", "2026-03-29", "2026-03-29")]
    [InlineData("system", "github", "GitHub")]
    [InlineData("system", "AWS", "aws")]
    [InlineData("buddy", "Alice@Example.COM", "alice@example.com")]
    [InlineData("buddy", "person:bob@example.com", "bob@example.com")]
    public void Valid_values_are_normalized(string key, string raw, string expected)
    {
        var result = Validate((key, raw));
        Assert.Empty(result.Errors);
        Assert.Equal(expected, result.Values[key]);
    }

    [Theory]
    [InlineData("amount", "abc", "amount must be a number, got 'abc'")]
    [InlineData("amount", "1,200", "amount must be a number, got '1,200'")]
    [InlineData("amount", "12e3", "amount must be a number, got '12e3'")]
    [InlineData("until", "29.03.2026", "until must be a date as YYYY-MM-DD, got '29.03.2026'")]
    [InlineData("until", "2026-02-30", "until must be a date as YYYY-MM-DD, got '2026-02-30'")]
    [InlineData("system", "gitlab", "system must be one of GitHub, aws, Salesforce, got 'gitlab'")]
    [InlineData("buddy", "alice", "buddy must be an email address, got 'alice'")]
    [InlineData("buddy", "a@b", "buddy must be an email address, got 'a@b'")]
    public void Invalid_values_are_reported_with_what_was_given(string key, string raw, string message)
    {
        var result = Validate((key, raw));
        var error = Assert.Single(result.Errors);
        Assert.Equal(new InputError(key, message), error);
        Assert.False(result.Values.ContainsKey(key));
        Assert.False(result.IsValid);
    }

    [Fact]
    public void Keys_are_matched_ignoring_case_and_stored_under_the_input_id()
    {
        var result = Validate(("AMOUNT", "5"), ("Purpose", "x"));
        Assert.True(result.IsComplete);
        Assert.Equal("5", result.Values["amount"]);
        Assert.Contains("amount", result.Values.Keys);
        Assert.Contains("purpose", result.Values.Keys);
    }

    [Fact]
    public void An_unknown_key_is_an_error_listing_the_valid_ones()
    {
        var result = Validate(("amount", "5"), ("purpose", "x"), ("colour", "blue"));
        var error = Assert.Single(result.Errors);
        Assert.Equal("colour", error.Field);
        Assert.Equal("unknown input 'colour'; valid inputs: amount, purpose, until, system, buddy", error.Message);
    }

    [Fact]
    public void Missing_required_inputs_are_listed_not_reported_as_errors()
    {
        var result = Validate(("until", "2026-01-01"));
        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        Assert.False(result.IsComplete);
        Assert.Equal(["amount", "purpose"], result.MissingRequired.Select(i => i.Id));
    }

    [Fact]
    public void An_empty_value_counts_as_missing()
    {
        var result = Validate(("amount", "10"), ("purpose", "   "), ("until", ""));
        Assert.Empty(result.Errors);
        Assert.Equal(["purpose"], result.MissingRequired.Select(i => i.Id));
        Assert.False(result.Values.ContainsKey("until"));
    }

    [Fact]
    public void A_required_input_with_a_bad_value_is_an_error_not_missing()
    {
        var result = Validate(("amount", "lots"), ("purpose", "x"));
        Assert.Single(result.Errors);
        Assert.Empty(result.MissingRequired);
    }

    [Fact]
    public void The_same_input_given_twice_in_different_case_is_an_error()
    {
        var result = Validate(("amount", "1"), ("Amount", "2"), ("purpose", "x"));
        var error = Assert.Single(result.Errors);
        Assert.Equal("amount", error.Field);
    }

    [Fact]
    public void Optional_inputs_may_be_left_out()
    {
        var result = Validate(("amount", "1"), ("purpose", "x"));
        Assert.True(result.IsComplete);
        Assert.Equal(2, result.Values.Count);
    }

    [Fact]
    public void Normalized_numbers_satisfy_the_conditions_that_read_them()
    {
        var result = Validate(("amount", "1000.10"), ("purpose", "x"));
        Assert.True(Condition.Parse("amount > 1000").Evaluate(result.Values));
    }
}
