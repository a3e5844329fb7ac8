using Orchestrator.Core.Commands;

namespace Orchestrator.Core.Tests.Commands;

public sealed class CommandParserTests
{
    public static TheoryData<string?, Command> Simple => new()
    {
        { null, new HelpCommand() },
        { "", new HelpCommand() },
        { "   ", new HelpCommand() },
        { "help", new HelpCommand() },
        { "HELP me", new HelpCommand() },
        { "?", new HelpCommand() },
        { "workflows", new WorkflowsCommand() },
        { "list", new WorkflowsCommand() },
        { "mine", new MineCommand() },
        { "Requests", new RequestsCommand() },
        { "status", new StatusCommand(null) },
        { "status Purchase-3", new StatusCommand("purchase-3") },
        { "  status   purchase-3  ", new StatusCommand("purchase-3") },
        { "cancel purchase-3", new CancelCommand("purchase-3", null) },
        { "cancel PURCHASE-3 ordered elsewhere", new CancelCommand("purchase-3", "ordered elsewhere") },
        { "cancel purchase-3 \"ordered  elsewhere\"", new CancelCommand("purchase-3", "ordered  elsewhere") },
    };

    [Theory]
    [MemberData(nameof(Simple))]
    public void Commands_without_fields_parse_to_their_verb(string? text, Command expected)
    {
        Assert.Equal(expected, CommandParser.Parse(text));
    }

    public static TheoryData<string, string, string> Starts => new()
    {
        { "start purchase amount=1500 item=\"Standing desk\"", "purchase", "amount=1500|item=Standing desk" },
        { "start purchase item=“Standing desk” amount=1500", "purchase", "item=Standing desk|amount=1500" },
        { "start purchase \"item=Standing desk\"", "purchase", "item=Standing desk" },
        { "start purchase item=\"Standing desk”", "purchase", "item=Standing desk" },
        { "start Purchase", "purchase", "" },
        { "START   purchase    amount=1   ", "purchase", "amount=1" },
        { "start purchase note=a=b", "purchase", "note=a=b" },
        { "start purchase item=\"\"", "purchase", "item=" },
        { "start purchase amount=", "purchase", "amount=" },
        { "start purchase Amount=5", "purchase", "Amount=5" },
    };

    [Theory]
    [MemberData(nameof(Starts))]
    public void Start_reads_the_workflow_and_its_fields(string text, string workflow, string fields)
    {
        var start = Assert.IsType<StartCommand>(CommandParser.Parse(text));

        Assert.Equal(workflow, start.Workflow);
        Assert.Equal(fields, string.Join("|", start.Fields.Select(f => $"{f.Key}={f.Value}")));
    }

    [Fact]
    public void Start_fields_are_looked_up_whatever_their_case()
    {
        var start = Assert.IsType<StartCommand>(CommandParser.Parse("start purchase Amount=5"));

        Assert.Equal("5", start.Fields["amount"]);
    }

    public static TheoryData<string, string, string?> Mistakes => new()
    {
        { "start", "start needs the id of a workflow.", CommandParser.StartUsage },
        { "start purchase amount", "'amount' is not field=value (put values with spaces in double quotes).", CommandParser.StartUsage },
        { "start purchase =5", "'=5' is not field=value (put values with spaces in double quotes).", CommandParser.StartUsage },
        { "start purchase item=Standing desk", "'desk' is not field=value (put values with spaces in double quotes).", CommandParser.StartUsage },
        { "start purchase amount=1 Amount=2", "The field 'Amount' is given twice.", CommandParser.StartUsage },
        { "start purchase item=\"Standing desk", "A double quote is not closed.", null },
        { "cancel purchase-3 “because", "A double quote is not closed.", null },
        { "status a b", "status takes at most one request id.", "status [<id>], e.g. status purchase-3" },
        { "cancel", "cancel needs the id of a request.", "cancel <id> [reason], e.g. cancel purchase-3 ordered elsewhere" },
        { "strat purchase", "I don't know the command 'strat'. Did you mean 'start'?", null },
        { "stauts", "I don't know the command 'stauts'. Did you mean 'status'?", null },
        { "Canel x", "I don't know the command 'Canel'. Did you mean 'cancel'?", null },
        { "mien", "I don't know the command 'mien'. Did you mean 'mine'?", null },
        { "request", "I don't know the command 'request'. Did you mean 'requests'?", null },
        { "xyzzy", "I don't know the command 'xyzzy'.", null },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Malformed_text_says_what_was_wrong(string text, string error, string? usage)
    {
        var invalid = Assert.IsType<InvalidCommand>(CommandParser.Parse(text));

        Assert.Equal(error, invalid.Error);
        Assert.Equal(usage, invalid.Usage);
    }

    [Theory]
    [InlineData("purchse", new[] { "access", "purchase", "expense" }, "purchase", "purchase,access,expense")]
    [InlineData("exp", new[] { "access", "purchase", "expense" }, "expense", "expense,access,purchase")]
    [InlineData("zzzzzzzz", new[] { "access", "purchase" }, null, "access,purchase")]
    public void Near_matches_come_first(string word, string[] candidates, string? suggestion, string ranked)
    {
        Assert.Equal(suggestion, CommandParser.Suggest(word, candidates));
        Assert.Equal(ranked, string.Join(",", CommandParser.RankByCloseness(word, candidates)));
    }

    [Theory]
    [InlineData("status", "status", 0)]
    [InlineData("stauts", "status", 1)]
    [InlineData("strat", "start", 1)]
    [InlineData("Mien", "mine", 1)]
    [InlineData("canel", "cancel", 1)]
    [InlineData("", "help", 4)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_counts_typos_with_a_swap_as_one(string a, string b, int expected)
    {
        Assert.Equal(expected, CommandParser.Distance(a, b));
        Assert.Equal(expected, CommandParser.Distance(b, a));
    }
}
