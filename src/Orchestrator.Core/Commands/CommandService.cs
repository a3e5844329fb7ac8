using System.Text;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;

namespace Orchestrator.Core.Commands;

/// <summary>A form the channel should show because required inputs are missing (Slack modal, Teams form card).</summary>
public sealed record StartForm(WorkflowDefinition Definition, IReadOnlyDictionary<string, string> Values, IReadOnlyList<InputDefinition> Missing);

/// <summary>The answer to a command, private to the person who typed it.</summary>
public sealed record CommandReply(string Text, bool IsError = false, StartForm? Form = null, WorkflowInstance? Started = null, HomeModel? Home = null);

/// <summary>Runs parsed commands for a person; the same answers on every platform.</summary>
public sealed partial class CommandService(Catalog catalog, WorkflowEngine engine, IInstanceStore store, ICatalogSource? catalogSource = null, IApiKeyAdmin? apiKeys = null)
{
    public CommandReply Execute(string? text, string actor, string platform, string prefix = "")
    {
        var command = CommandParser.Parse(text);
        return command switch
        {
            HelpCommand => new CommandReply(Usage(prefix)),
            WorkflowsCommand => new CommandReply(Workflows(prefix)),
            StartCommand s => Start(s, actor, platform, prefix),
            StatusCommand s => Status(s.InstanceId, actor),
            MineCommand => Mine(actor),
            HomeCommand => Home(actor),
            RequestsCommand => Requests(actor),
            CancelCommand c => Cancel(c, actor, platform),
            DelegateCommand d => Delegate(d, actor, platform),
            DelegateOffCommand => Reply(engine.EndDelegation(actor)),
            AdminStuckCommand => AdminStuck(actor, prefix),
            AdminReassignCommand r => AdminReassign(r, actor, platform),
            AdminReloadCommand => AdminReload(actor),
            AdminKeysCommand => AdminKeys(actor),
            AdminRevokeKeyCommand k => AdminRevokeKey(k.Name, actor),
            InvalidCommand bad => new CommandReply($"{bad.Error}\nUsage: {prefix}{bad.Usage ?? "help"}" + (bad.Usage is null ? "\n\n" + Usage(prefix) : ""), IsError: true),
            _ => new CommandReply(Usage(prefix)),
        };
    }

    public static string Usage(string prefix) => $"""
        Orchestrator — start and follow approvals without leaving chat.
        • {prefix}help — this message
        • {prefix}workflows — what you can start, with their inputs
        • {prefix}{CommandParser.StartUsage}
        • {prefix}status [<id>] — where a request stands, e.g. status purchase-3
        • {prefix}mine — what waits for you
        • {prefix}requests — what you started
        • {prefix}home — both at once: what waits for you and where your requests stand
        • {prefix}cancel <id> [reason] — withdraw your request
        • {prefix}delegate <person> [until YYYY-MM-DD] — while you are away, your approvals go to them
        • {prefix}delegate off — your approvals come to you again
        • {prefix}admin stuck — admins: what waits on an admin
        • {prefix}admin reassign <id> <step> <person> — admins: move a step to someone else
        • {prefix}admin reload — admins: read workflows and the directory again
        • {prefix}admin keys, {prefix}admin revoke-key <name> — admins: list the HTTP API's keys, revoke one at once
        """;

    private string Workflows(string prefix)
    {
        if (catalog.Definitions.Count == 0) return "No workflows are loaded. An admin adds YAML files to the workflows folder.";
        var sb = new StringBuilder("Workflows you can start:\n");
        foreach (var d in catalog.Definitions)
        {
            sb.Append($"• {d.Id} — {d.Name}\n");
            if (d.Inputs.Count > 0)
                sb.Append("    inputs: ").Append(string.Join(", ", d.Inputs.Select(DescribeInput))).Append('\n');
        }
        sb.Append($"Start one with {prefix}{CommandParser.StartUsage}");
        return sb.ToString();
    }

    private static string DescribeInput(InputDefinition i)
    {
        var type = i.Type == InputType.Choice ? $"one of {string.Join("|", i.Options)}" : i.Type.ToString().ToLowerInvariant();
        return $"{i.Id} ({type}{(i.Required ? ", required" : "")})";
    }

    private CommandReply Start(StartCommand command, string actor, string platform, string prefix)
    {
        var definition = catalog.Find(command.Workflow);
        if (definition is null)
        {
            var ranked = CommandParser.RankByCloseness(command.Workflow, catalog.Definitions.Select(d => d.Id));
            var list = ranked.Count == 0 ? "none are loaded" : string.Join(", ", ranked);
            return new CommandReply($"There is no workflow '{TextLimits.Clip(command.Workflow)}'. Valid workflows: {list}.\nUsage: {prefix}{CommandParser.StartUsage}", IsError: true);
        }

        return StartWith(definition.Id, command.Fields, actor, platform, prefix);
    }

    /// <summary>Starts a workflow from values given as text (a command, a submitted form).</summary>
    public CommandReply StartWith(string workflowId, IReadOnlyDictionary<string, string> values, string actor, string platform, string prefix = "")
    {
        var result = engine.Start(workflowId, values, actor, platform);
        var definition = catalog.Find(workflowId);
        return result.Outcome switch
        {
            StartOutcome.Started => new CommandReply(Started(result.Instance!), Started: result.Instance),
            _ when definition is null => new CommandReply($"There is no workflow '{workflowId}'.", IsError: true),
            StartOutcome.MissingInputs => new CommandReply(
                $"{definition.Name} needs {string.Join(", ", result.Missing!.Select(m => m.Id))}.",
                Form: new StartForm(definition, result.Values!, result.Missing!)),
            _ => new CommandReply(
                string.Join("\n", result.Errors!.Select(e => e.Message)) + $"\nNothing was started. Usage: {prefix}start {definition.Id} "
                + string.Join(" ", definition.Inputs.Select(i => i.Required ? $"{i.Id}=…" : $"[{i.Id}=…]")),
                IsError: true),
        };
    }

    private string Started(WorkflowInstance instance)
    {
        var people = catalog.People;
        var where = instance.State switch
        {
            InstanceState.Open when instance.CurrentOwners().Any() =>
                $"waiting on {string.Join(", ", instance.CurrentOwners().Select(people.NameOf))} ({instance.Current!.StepId})",
            InstanceState.Open => $"waiting on an admin: {instance.Current?.Note}",
            _ => instance.State.ToString().ToLowerInvariant(),
        };
        return $"Started {instance.Id} ({instance.Definition.Name}): {where}. Follow it with status {instance.Id}.";
    }

    private CommandReply Status(string? id, string actor)
    {
        var instance = id is null ? store.StartedBy(actor, 1).FirstOrDefault() : store.Get(id);
        if (instance is null)
            return new CommandReply(id is null ? "You have not started any request yet." : $"There is no request {TextLimits.Clip(id)}. Ids look like purchase-3; see requests or mine.", IsError: true);
        if (!Access.MayView(instance, actor, catalog.People, engine.Delegations()))
            return new CommandReply($"You are not part of {instance.Id}.", IsError: true);
        return new CommandReply(StatusText.Describe(instance, catalog.People, catalog.People.ZoneOf(actor)));
    }

    private CommandReply Mine(string actor)
    {
        var waiting = store.WaitingOn(actor);
        if (waiting.Count == 0) return new CommandReply("Nothing waits for you. 🎉");
        var zone = catalog.People.ZoneOf(actor);
        var sb = new StringBuilder($"Waiting for you ({waiting.Count}):\n");
        foreach (var i in waiting)
        {
            var run = i.Current!;
            var step = i.Definition.Steps[i.CurrentStep];
            sb.Append($"• {i.Id} — {i.Title(step, catalog.People.NameOf(i.Requester))} (from {catalog.People.NameOf(i.Requester)}, since {TimeText.Format(run.ActivatedAt!.Value, zone)}");
            if (run.DueAt is { } due) sb.Append($", due {TimeText.Format(due, zone)}");
            sb.Append(")\n");
        }
        return new CommandReply(sb.ToString().TrimEnd());
    }

    private CommandReply Home(string actor)
    {
        var home = HomeModel.For(actor, store, catalog.People);
        return new CommandReply(home.ToText(), Home: home);
    }

    private CommandReply Requests(string actor)
    {
        var mine = store.StartedBy(actor, 20);
        if (mine.Count == 0) return new CommandReply("You have not started any request yet. See workflows.");
        var zone = catalog.People.ZoneOf(actor);
        var sb = new StringBuilder("Your requests:\n");
        foreach (var i in mine)
            sb.Append($"• {i.Id} — {i.Definition.Name}: {StatusText.Where(i, catalog.People, zone)}\n");
        return new CommandReply(sb.ToString().TrimEnd());
    }

    private CommandReply Cancel(CancelCommand command, string actor, string platform)
    {
        var result = engine.Cancel(command.InstanceId, actor, command.Reason, platform);
        return new CommandReply(result.Message, IsError: !result.Recorded);
    }
}
