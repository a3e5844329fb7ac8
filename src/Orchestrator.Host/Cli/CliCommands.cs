using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Orchestrator.Core.Commands;
using Command = System.CommandLine.Command;

namespace Orchestrator.Host.Cli;

/// <summary>
/// The admin commands, run instead of the web host: each is defined in its own file (<see cref="ValidateCommand"/>,
/// <see cref="HealthCheckCommand"/>, <see cref="SimulateCommand"/>, <see cref="ManifestCommand"/>, <see cref="AuditCommand"/>,
/// <see cref="ApiKeyCommand"/>) and parsed by System.CommandLine. Bad input exits 2 with the reason and the command's usage.
/// </summary>
internal static class CliCommands
{
    private const int BadInput = 2;

    /// <summary>
    /// True when the arguments ask for a command (or help) rather than the server. The server takes none, or ASP.NET Core's
    /// own configuration arguments: <c>--urls http://…</c>, <c>--Storage:Path=x</c>, <c>/Storage:Path x</c>, <c>Slack:BotToken=x</c>.
    /// A bare word is always a command, so a mistyped one is reported instead of silently starting the server.
    /// </summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] switch
    {
        "-h" or "-?" or "--help" or "/?" or "/h" or "--version" => true,
        var first when first.StartsWith('-') || first.StartsWith('/') => false,
        var first => !first.Contains('=', StringComparison.Ordinal),
    };

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var root = Root();
        // @file would read arguments from a file: not something these commands mean.
        var parser = new ParserConfiguration { ResponseFileTokenReplacer = null };
        var result = root.Parse(args, parser);
        // "audit help" reads like "audit --help", as the commands' own usage lines have always allowed.
        if (args.Length > 1 && args[^1] == "help" && result.UnmatchedTokens is ["help"])
            result = root.Parse([.. args[..^1], "--help"], parser);

        if ((result.Errors.Count > 0 || Swallowed(result, result.CommandResult.Command).Any()) && result.Action is not UsageAction)
            return Refuse(result, error);
        return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static RootCommand Root()
    {
        var root = new RootCommand("Orchestrator: a chat-first workflow bot. With no command it runs the bot.")
        {
            ValidateCommand.Create(),
            HealthCheckCommand.Create(),
            SimulateCommand.Create(),
            ManifestCommand.Create(),
            AuditCommand.Create(),
            ApiKeyCommand.Create(),
        };
        var topics = new Argument<string[]>("command") { Description = "the command to explain", Arity = ArgumentArity.ZeroOrMore };
        var help = new Command("help", "Shows this usage, or one command's options and examples.") { topics };
        help.SetAction(r =>
        {
            var output = r.InvocationConfiguration.Output;
            var topic = r.GetValue(topics) ?? [];
            if (topic.Length == 0) return WriteUsage(root, output, 0);
            var command = Find(root, topic);
            if (command is null) return Unknown(root, string.Join(' ', topic), r.InvocationConfiguration.Error);
            return root.Parse([.. topic, "--help"]).Invoke(r.InvocationConfiguration);
        });
        root.Subcommands.Add(help);
        var option = root.Options.OfType<HelpOption>().Single();
        option.Action = new UsageAction(root, (HelpAction)option.Action!);
        return root;
    }

    /// <summary>Every command with its options and an example; for <c>--help</c>, <c>help</c> and any mistake at the top level.</summary>
    private static int WriteUsage(RootCommand root, TextWriter output, int code)
    {
        output.WriteLine("usage: Orchestrator.Host <command> [options]        (no command: run the bot)");
        output.WriteLine("       from the repository root: dotnet run --project src/Orchestrator.Host -- <command> [options]");
        output.WriteLine("       the bot also takes ASP.NET Core settings: --urls http://localhost:5080 --Storage:Path=data/orchestrator.db");
        output.WriteLine();
        output.WriteLine("commands:");
        foreach (var command in root.Subcommands.Where(c => c.Name != "help"))
        {
            output.WriteLine($"  {command.Name,-12} {command.Description}");
            foreach (var line in Synopses(command, "")) output.WriteLine($"      {line}");
            foreach (var example in Examples(command).Take(1)) output.WriteLine($"      e.g. {example}");
        }
        output.WriteLine();
        output.WriteLine("Each command explains its options with --help, e.g. validate --help.");
        return code;
    }

    /// <summary>One line per runnable command, e.g. <c>manifest slack --base-url &lt;url&gt; [--out &lt;file.yaml&gt;]</c>.</summary>
    internal static IEnumerable<string> Synopses(Command command, string prefix)
    {
        var path = prefix.Length == 0 ? command.Name : $"{prefix} {command.Name}";
        if (command.Subcommands.Count > 0)
        {
            foreach (var sub in command.Subcommands) foreach (var line in Synopses(sub, path)) yield return line;
            yield break;
        }
        var parts = new List<string> { path };
        foreach (var argument in command.Arguments)
        {
            var text = $"<{argument.HelpName ?? argument.Name}>" + (argument.Arity.MaximumNumberOfValues > 1 ? " …" : "");
            parts.Add(argument.Arity.MinimumNumberOfValues == 0 ? $"[{text}]" : text);
        }
        foreach (var option in command.Options.Where(o => !o.Hidden))
        {
            var text = option.Arity.MaximumNumberOfValues == 0 ? option.Name
                : $"{option.Name} <{option.HelpName ?? option.Name.TrimStart('-')}>" + (option.AllowMultipleArgumentsPerToken ? " …" : "");
            parts.Add(option.Required ? text : $"[{text}]");
        }
        yield return string.Join(' ', parts);
    }

    /// <summary>The examples a command file lists for its command (and its subcommands).</summary>
    private static IEnumerable<string> Examples(Command command) => command.Name switch
    {
        "validate" => ValidateCommand.Examples,
        "healthcheck" => HealthCheckCommand.Examples,
        "simulate" => SimulateCommand.Examples,
        "manifest" => ManifestCommand.Examples,
        "audit" => AuditCommand.Examples,
        "apikey" => ApiKeyCommand.Examples,
        _ => [],
    };

    private static Command? Find(Command root, IEnumerable<string> path)
    {
        var command = root;
        foreach (var name in path)
        {
            command = command.Subcommands.FirstOrDefault(c => c.Name == name);
            if (command is null) return null;
        }
        return command;
    }

    /// <summary>The command right below the root that <paramref name="result"/> is in (<c>manifest</c> for <c>manifest teams</c>).</summary>
    private static Command TopOf(CommandResult result) =>
        result.Parent is CommandResult { Command: not RootCommand } parent ? TopOf(parent) : result.Command;

    /// <summary>Parse errors in the commands' own words: what was wrong, a near match when there is one, and the usage.</summary>
    private static int Refuse(ParseResult result, TextWriter error)
    {
        var command = result.CommandResult.Command;
        if (command is RootCommand root)
            return Unknown(root, result.UnmatchedTokens.FirstOrDefault() ?? result.Tokens.FirstOrDefault()?.Value ?? "", error);

        var path = string.Join(' ', Path(result.CommandResult));
        var messages = new List<string>();
        var token = result.UnmatchedTokens.FirstOrDefault();
        if (command.Subcommands.Count > 0)
        {
            // No command was chosen below this one; nothing else said about it would help.
            var names = command.Subcommands.Select(c => c.Name).ToList();
            var near = token is null ? null : CommandParser.Suggest(Bounded(token), names);
            messages.Add(token is null
                ? $"name the command: {string.Join(" or ", names)}."
                : $"unknown command '{token}'" + (near is null ? "" : $"; did you mean '{near}'?") + $" Use {string.Join(" or ", names)}.");
        }
        else
        {
            var options = command.Options.Where(o => !o.Hidden && o is not HelpOption).ToList();
            var swallowed = Swallowed(result, command).ToList();
            foreach (var (option, value) in swallowed) messages.Add($"{option.Name} needs a value (got the option {value}).");
            var missing = options.Where(o => o.Required && !swallowed.Any(s => s.Value == o.Name) && result.GetResult(o) is not { IdentifierToken: not null }).ToList();
            foreach (var option in missing)
                messages.Add($"{option.Name} <{option.HelpName}> is required ({option.Description}).");
            if (token is not null && token.StartsWith('-'))
            {
                var near = CommandParser.Suggest(Bounded(token), options.Select(o => o.Name));
                messages.Add($"unknown option '{token}'" + (near is null ? "" : $"; did you mean '{near}'?") +
                             (options.Count == 0 ? " It takes no options." : $" Expected {string.Join(", ", options.Select(o => o.Name))}."));
            }
            else if (token is not null && swallowed.Count == 0)
            {
                messages.Add($"unexpected argument '{token}'.");
            }
            messages.AddRange(result.Errors.Where(e => !Explained(e, result, missing)).Select(e => e.Message));
        }
        foreach (var message in messages.Distinct()) error.WriteLine($"{path}: {message}");
        var synopses = Synopses(command, string.Join(' ', Path(result.CommandResult).SkipLast(1))).ToList();
        error.WriteLine($"usage: {synopses[0]}");
        foreach (var line in synopses.Skip(1)) error.WriteLine($"       {line}");
        error.WriteLine($"See: {path} --help");
        return BadInput;
    }

    /// <summary>
    /// An option given no value takes the next option as its value (<c>--bot-id --base-url https://…</c>); another option's
    /// name is never a value anyone means.
    /// </summary>
    private static IEnumerable<(Option Option, string Value)> Swallowed(ParseResult result, Command command)
    {
        var names = command.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var option in command.Options)
        {
            if (result.GetResult(option) is not { } given) continue;
            foreach (var value in given.Tokens.Select(t => t.Value).Where(v => names.Contains(v) && v != option.Name))
                yield return (option, value);
        }
    }

    /// <summary>Errors already said in better words above (unmatched tokens, missing options).</summary>
    private static bool Explained(ParseError e, ParseResult result, List<Option> missing) =>
        result.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)) ||
        missing.Any(o => e.Message.Contains($"'{o.Name}'", StringComparison.Ordinal));

    private static IEnumerable<string> Path(CommandResult? result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null && r.Command is not RootCommand; r = r.Parent as CommandResult) names.Push(r.Command.Name);
        return names;
    }

    private static int Unknown(RootCommand root, string word, TextWriter error)
    {
        var names = root.Subcommands.Select(c => c.Name).ToList();
        var near = CommandParser.Suggest(Bounded(word), names);
        error.WriteLine($"unknown command '{word}'" + (near is null ? "." : $". Did you mean '{near}'?"));
        error.WriteLine();
        return WriteUsage(root, error, BadInput);
    }

    /// <summary>The typo suggestion compares every letter with every letter: a pasted page is not a typo worth the time.</summary>
    private static string Bounded(string word) => word.Length <= 64 ? word : word[..64];

    /// <summary>Reads a setting as the host would: environment variables (<c>Storage__Path</c>) over appsettings.json.</summary>
    internal static string? Configured(string key) =>
        new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build()[key];

    /// <summary>
    /// <c>--help</c> anywhere: the whole usage at the top level; a command's own options, arguments and examples below it.
    /// </summary>
    private sealed class UsageAction(RootCommand root, HelpAction standard) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var output = parseResult.InvocationConfiguration.Output;
            var command = parseResult.CommandResult.Command;
            if (command is RootCommand) return WriteUsage(root, output, 0);
            standard.Invoke(parseResult);
            var examples = Examples(TopOf(parseResult.CommandResult)).ToList();
            var path = string.Join(' ', Path(parseResult.CommandResult));
            var mine = examples.Where(e => e.StartsWith(path, StringComparison.Ordinal)).ToList();
            if (mine.Count > 0)
            {
                output.WriteLine("Examples:");
                foreach (var example in mine) output.WriteLine($"  {example}");
                output.WriteLine();
            }
            return 0;
        }
    }
}
