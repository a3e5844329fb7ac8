using Orchestrator.Core.Commands;

namespace Orchestrator.Core.Tests.Commands;

public sealed class CommandParserDelegationTests
{
    public static TheoryData<string, Command> Parsed => new()
    {
        { "delegate bob@example.com", new DelegateCommand("bob@example.com", null) },
        { "Delegate <@U123|bob> until 2026-03-20", new DelegateCommand("<@U123|bob>", new DateOnly(2026, 3, 20)) },
        { "delegate bob@example.com UNTIL 2026-12-31", new DelegateCommand("bob@example.com", new DateOnly(2026, 12, 31)) },
        { "delegate off", new DelegateOffCommand() },
        { "delegate OFF", new DelegateOffCommand() },
        { "admin stuck", new AdminStuckCommand() },
        { "ADMIN Reload", new AdminReloadCommand() },
        { "admin reassign Purchase-3 manager carol@example.com", new AdminReassignCommand("purchase-3", "manager", "carol@example.com") },
    };

    [Theory]
    [MemberData(nameof(Parsed))]
    public void Delegation_and_admin_commands_parse(string text, Command expected)
    {
        Assert.Equal(expected, CommandParser.Parse(text));
    }

    public static TheoryData<string, string, string> Mistakes => new()
    {
        { "delegate", "delegate needs a person (an email or a mention), or off.", CommandParser.DelegateUsage },
        { "delegate off now", "delegate off takes nothing after it.", CommandParser.DelegateUsage },
        { "delegate bob@example.com until", "until needs a date, written as YYYY-MM-DD.", CommandParser.DelegateUsage },
        { "delegate bob@example.com until 20.03.2026", "'20.03.2026' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-20.", CommandParser.DelegateUsage },
        { "delegate bob@example.com until 2026-02-30", "'2026-02-30' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-20.", CommandParser.DelegateUsage },
        { "delegate bob@example.com 2026-03-20", "After the person only 'until YYYY-MM-DD' may follow, not '2026-03-20'.", CommandParser.DelegateUsage },
        { "admin", "admin needs one of: stuck, reassign, reload, keys, revoke-key.", CommandParser.AdminUsage },
        { "admin stuk", "I don't know 'admin stuk'. Did you mean 'admin stuck'?", CommandParser.AdminUsage },
        { "admin reassign purchase-3 manager", "admin reassign needs a request id, a step and a person.", CommandParser.ReassignUsage },
        { "admin stuck now", "admin stuck takes nothing after it.", "admin stuck" },
        { "admin keys all", "admin keys takes nothing after it.", CommandParser.KeysUsage },
        { "admin revoke-key", "admin revoke-key needs the name of one API key.", CommandParser.KeysUsage },
        { "admin revoke-key a b", "admin revoke-key needs the name of one API key.", CommandParser.KeysUsage },
        { "admin revoke", "I don't know 'admin revoke'. Did you mean 'admin revoke-key'?", CommandParser.AdminUsage },
        { "delgate bob@example.com", "I don't know the command 'delgate'. Did you mean 'delegate'?", "" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Malformed_delegation_and_admin_commands_say_what_was_wrong(string text, string error, string usage)
    {
        var invalid = Assert.IsType<InvalidCommand>(CommandParser.Parse(text));

        Assert.Equal(error, invalid.Error);
        Assert.Equal(usage, invalid.Usage ?? "");
    }
}
