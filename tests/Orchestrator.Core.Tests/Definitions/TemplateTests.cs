using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Tests.Definitions;

public sealed class TemplateTests
{
    private static readonly Dictionary<string, string> Values = new()
    {
        ["amount"] = "1200",
        ["purpose"] = "Conference",
    };

    [Theory]
    [InlineData("Expense of {{amount}} EUR", "Expense of 1200 EUR")]
    [InlineData("Expense of {{ amount }} EUR", "Expense of 1200 EUR")]
    [InlineData("{{  AMOUNT}} for {{Purpose  }}", "1200 for Conference")]
    [InlineData("Missing: [{{vendor}}]", "Missing: []")]
    [InlineData("No placeholders", "No placeholders")]
    [InlineData("{{amount}}{{amount}}", "12001200")]
    [InlineData("Unclosed {{amount", "Unclosed {{amount")]
    [InlineData("Single {amount}", "Single {amount}")]
    public void Placeholders_are_replaced_by_their_values(string template, string expected)
    {
        Assert.Equal(expected, Template.Render(template, Values));
    }

    [Fact]
    public void Values_are_inserted_literally_even_when_they_look_like_placeholders()
    {
        var values = new Dictionary<string, string> { ["a"] = "{{b}}", ["b"] = "x" };
        Assert.Equal("{{b}} x", Template.Render("{{a}} {{b}}", values));
    }

    [Theory]
    [InlineData("Expense of {{amount}} EUR for {{ purpose }}", "amount,purpose")]
    [InlineData("{{a}} {{b}} {{A}} {{a}}", "a,b")]
    [InlineData("nothing here", "")]
    [InlineData("{{cost-center}} and {{due_date}}", "cost-center,due_date")]
    public void Fields_lists_each_placeholder_once_in_order(string template, string expected)
    {
        Assert.Equal(expected, string.Join(',', Template.Fields(template)));
    }
}
