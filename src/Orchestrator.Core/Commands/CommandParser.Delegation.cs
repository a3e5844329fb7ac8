using System.Globalization;
using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Commands;

/// <summary><c>delegate &lt;person&gt; [until YYYY-MM-DD]</c>; the person is an email once the channel resolved mentions.</summary>
public sealed record DelegateCommand(string Person, DateOnly? Until) : Command;
public sealed record DelegateOffCommand : Command;
public sealed record AdminStuckCommand : Command;
public sealed record AdminReassignCommand(string InstanceId, string StepId, string Person) : Command;
public sealed record AdminReloadCommand : Command;
public sealed record AdminKeysCommand : Command;
public sealed record AdminRevokeKeyCommand(string Name) : Command;

public static partial class CommandParser
{
    public const string DelegateUsage = "delegate <person> [until YYYY-MM-DD], e.g. delegate bob@example.com until 2026-03-20; delegate off ends it";
    public const string ReassignUsage = "admin reassign <id> <step> <person>, e.g. admin reassign purchase-3 manager carol@example.com";
    public const string KeysUsage = "admin keys | admin revoke-key <name>, e.g. admin revoke-key jira";
    public const string AdminUsage = "admin stuck | " + ReassignUsage + " | admin reload | " + KeysUsage;

    private static readonly string[] AdminVerbs = ["stuck", "reassign", "reload", "keys", "revoke-key"];

    private static Command ParseDelegate(List<string> args)
    {
        if (args.Count == 0) return new InvalidCommand("delegate needs a person (an email or a mention), or off.", DelegateUsage);
        if (args[0].Equals("off", StringComparison.OrdinalIgnoreCase))
            return args.Count == 1 ? new DelegateOffCommand() : new InvalidCommand("delegate off takes nothing after it.", DelegateUsage);
        var person = args[0];
        switch (args.Count)
        {
            case 1:
                return new DelegateCommand(person, null);
            case 3 when args[1].Equals("until", StringComparison.OrdinalIgnoreCase):
                return DateOnly.TryParseExact(args[2], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var until)
                    ? new DelegateCommand(person, until)
                    : new InvalidCommand($"'{TextLimits.Clip(args[2])}' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-20.", DelegateUsage);
            case 2 when args[1].Equals("until", StringComparison.OrdinalIgnoreCase):
                return new InvalidCommand("until needs a date, written as YYYY-MM-DD.", DelegateUsage);
            default:
                return new InvalidCommand($"After the person only 'until YYYY-MM-DD' may follow, not '{TextLimits.Clip(string.Join(' ', args.Skip(1)))}'.", DelegateUsage);
        }
    }

    private static Command ParseAdmin(List<string> args)
    {
        if (args.Count == 0) return new InvalidCommand("admin needs one of: stuck, reassign, reload, keys, revoke-key.", AdminUsage);
        var sub = args[0].ToLowerInvariant();
        var rest = args.Skip(1).ToList();
        switch (sub)
        {
            case "stuck":
                return rest.Count == 0 ? new AdminStuckCommand() : new InvalidCommand("admin stuck takes nothing after it.", "admin stuck");
            case "reload":
                return rest.Count == 0 ? new AdminReloadCommand() : new InvalidCommand("admin reload takes nothing after it.", "admin reload");
            case "keys":
                return rest.Count == 0 ? new AdminKeysCommand() : new InvalidCommand("admin keys takes nothing after it.", KeysUsage);
            case "revoke-key":
                return rest.Count == 1
                    ? new AdminRevokeKeyCommand(rest[0].ToLowerInvariant())
                    : new InvalidCommand("admin revoke-key needs the name of one API key.", KeysUsage);
            case "reassign":
                return rest.Count == 3
                    ? new AdminReassignCommand(rest[0].ToLowerInvariant(), rest[1], rest[2])
                    : new InvalidCommand("admin reassign needs a request id, a step and a person.", ReassignUsage);
        }
        var near = Suggest(sub, AdminVerbs);
        return new InvalidCommand($"I don't know 'admin {TextLimits.Clip(args[0])}'." + (near is null ? "" : $" Did you mean 'admin {near}'?"), AdminUsage);
    }
}
