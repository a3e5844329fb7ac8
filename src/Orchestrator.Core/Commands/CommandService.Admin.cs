using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;

namespace Orchestrator.Core.Commands;

public sealed partial class CommandService
{
    private static CommandReply Reply(ChangeResult result) => new(result.Message, IsError: !result.Changed);

    private CommandReply Delegate(DelegateCommand command, string actor, string platform) =>
        Reply(engine.Delegate(actor, Person(command.Person), command.Until, platform));

    private CommandReply AdminStuck(string actor, string prefix)
    {
        if (!catalog.People.IsAdmin(actor)) return new CommandReply("Only admins can list what is stuck.", IsError: true);
        var stuck = engine.Stuck();
        if (stuck.Count == 0) return new CommandReply("Nothing waits on an admin. 🎉");
        var zone = catalog.People.ZoneOf(actor);
        var sb = new StringBuilder($"Waiting on an admin ({stuck.Count}):\n");
        foreach (var item in stuck)
        {
            sb.Append($"• {item.InstanceId} at {item.StepId} — {item.Problem} (since {TimeText.Format(item.Since, zone)})\n");
            sb.Append(item.Fix is { } fix ? $"    fix: {prefix}{fix}\n" : "    fix: no command can; the host's log names the cause\n");
        }
        return new CommandReply(sb.ToString().TrimEnd());
    }

    private CommandReply AdminReassign(AdminReassignCommand command, string actor, string platform)
    {
        if (!catalog.People.IsAdmin(actor)) return new CommandReply("Only admins can reassign work. Nothing was changed.", IsError: true);
        return Reply(engine.Reassign(command.InstanceId, command.StepId, Person(command.Person), actor, platform));
    }

    private CommandReply AdminReload(string actor)
    {
        if (!catalog.People.IsAdmin(actor)) return new CommandReply("Only admins can reload workflows and the directory. Nothing was changed.", IsError: true);
        if (catalogSource is null) return new CommandReply("Reloading is not available here.", IsError: true);
        var reload = catalogSource.Reload();
        var sb = new StringBuilder();
        sb.Append($"Reloaded {catalog.Definitions.Count} workflow(s): {(catalog.Definitions.Count == 0 ? "none" : string.Join(", ", catalog.Definitions.Select(d => $"{d.Id}@{d.Version}")))}; ");
        sb.Append($"{catalog.People.People.Count} people in the directory.");
        foreach (var kept in reload.Kept) sb.Append($"\nKept the previous {kept}: its file could not be used.");
        if (catalog.Problems.Count > 0)
        {
            sb.Append($"\nProblems ({catalog.Problems.Count}):");
            foreach (var problem in catalog.Problems) sb.Append($"\n• {problem}");
        }
        return new CommandReply(sb.ToString(), IsError: catalog.Problems.Count > 0);
    }

    private CommandReply AdminKeys(string actor)
    {
        if (!catalog.People.IsAdmin(actor)) return new CommandReply("Only admins can list API keys.", IsError: true);
        if (apiKeys is null) return new CommandReply("API keys are not available here.", IsError: true);
        var keys = apiKeys.Keys();
        if (keys.Count == 0) return new CommandReply("There are no API keys. An admin makes one with the host's command: apikey create <name> --system <system>");
        var zone = catalog.People.ZoneOf(actor);
        var sb = new StringBuilder($"API keys ({keys.Count}):\n");
        foreach (var k in keys)
        {
            var used = k.LastUsed is { } at ? $"last used {TimeText.Format(at, zone)}" : "never used";
            var state = k.Revoked is { } revoked ? $"revoked {TimeText.Format(revoked, zone)}" : used;
            sb.Append($"• {k.Name} — acts as system:{k.System}; {state}\n");
        }
        return new CommandReply(sb.ToString().TrimEnd());
    }

    private CommandReply AdminRevokeKey(string name, string actor)
    {
        if (!catalog.People.IsAdmin(actor)) return new CommandReply("Only admins can revoke API keys. Nothing was changed.", IsError: true);
        if (apiKeys is null) return new CommandReply("API keys are not available here.", IsError: true);
        var refusal = apiKeys.Revoke(name, actor);
        return refusal is null
            ? new CommandReply($"Revoked the API key '{TextLimits.Clip(name)}': every request with it gets 401 from now on.")
            : new CommandReply(refusal, IsError: true);
    }

    /// <summary>A person as typed, with Slack's automatic <c>&lt;mailto:…|…&gt;</c> link around an email undone.</summary>
    internal static string Person(string text)
    {
        var mailto = MailtoPattern().Match(text);
        return (mailto.Success ? mailto.Groups["email"].Value : text).Trim();
    }

    [GeneratedRegex(@"^<mailto:(?<email>[^|>]+)(\|[^>]*)?>$")]
    private static partial Regex MailtoPattern();
}
