using System.Text;
using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Commands;

public abstract record Command;
public sealed record HelpCommand : Command;
public sealed record WorkflowsCommand : Command;
public sealed record StartCommand(string Workflow, IReadOnlyDictionary<string, string> Fields) : Command;
public sealed record StatusCommand(string? InstanceId) : Command;
public sealed record MineCommand : Command;
public sealed record HomeCommand : Command;
public sealed record RequestsCommand : Command;
public sealed record CancelCommand(string InstanceId, string? Reason) : Command;

/// <summary>Text that is not a command; <see cref="Error"/> says what was wrong.</summary>
public sealed record InvalidCommand(string Error, string? Usage = null) : Command;

/// <summary>Parses the words after <c>/orchestrate</c> (Slack) or a message to the bot (Teams); one parser for both.</summary>
public static partial class CommandParser
{
    public const string StartUsage = "start <workflow> [field=value …], e.g. start purchase amount=1500 item=\"Standing desk\"";

    private static readonly string[] Verbs = ["help", "workflows", "start", "status", "mine", "requests", "home", "cancel", "delegate", "admin"];

    public static Command Parse(string? text)
    {
        // Bounded before anything else looks at it: tokens, typo suggestions and echoes all grow with the text.
        if (TextLimits.Exceeded("That command", text, TextLimits.Command) is { } tooLong)
            return new InvalidCommand($"{tooLong} Nothing was done; put long text in a form (start <workflow> without it opens one).", "help");
        if (!TryTokenize(text ?? "", out var tokens, out var tokenError)) return new InvalidCommand(tokenError);
        if (tokens.Count == 0) return new HelpCommand();
        var verb = tokens[0].ToLowerInvariant();
        var args = tokens.Skip(1).ToList();
        switch (verb)
        {
            case "help" or "?":
                return new HelpCommand();
            case "workflows" or "list":
                return new WorkflowsCommand();
            case "home":
                return new HomeCommand();
            case "mine":
                return new MineCommand();
            case "requests":
                return new RequestsCommand();
            case "status":
                return args.Count switch
                {
                    0 => new StatusCommand(null),
                    1 => new StatusCommand(args[0].ToLowerInvariant()),
                    _ => new InvalidCommand("status takes at most one request id.", "status [<id>], e.g. status purchase-3"),
                };
            case "cancel":
                return args.Count == 0
                    ? new InvalidCommand("cancel needs the id of a request.", "cancel <id> [reason], e.g. cancel purchase-3 ordered elsewhere")
                    : new CancelCommand(args[0].ToLowerInvariant(), args.Count > 1 ? string.Join(' ', args.Skip(1)) : null);
            case "start":
                return ParseStart(args);
            case "delegate":
                return ParseDelegate(args);
            case "admin":
                return ParseAdmin(args);
        }
        var near = Suggest(verb, Verbs);
        return new InvalidCommand($"I don't know the command '{TextLimits.Clip(tokens[0])}'." + (near is null ? "" : $" Did you mean '{near}'?"));
    }

    private static Command ParseStart(List<string> args)
    {
        if (args.Count == 0) return new InvalidCommand("start needs the id of a workflow.", StartUsage);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var arg in args.Skip(1))
        {
            var eq = arg.IndexOf('=');
            if (eq <= 0)
                return new InvalidCommand($"'{TextLimits.Clip(arg)}' is not field=value (put values with spaces in double quotes).", StartUsage);
            var key = arg[..eq].Trim();
            if (fields.ContainsKey(key))
                return new InvalidCommand($"The field '{TextLimits.Clip(key)}' is given twice.", StartUsage);
            fields[key] = arg[(eq + 1)..];
        }
        return new StartCommand(args[0].ToLowerInvariant(), fields);
    }

    /// <summary>Splits on spaces outside double quotes (straight or curly, as phones type them); the quotes go.</summary>
    internal static bool TryTokenize(string text, out List<string> tokens, out string error)
    {
        tokens = [];
        error = "";
        var current = new StringBuilder();
        var inQuotes = false;
        var hasToken = false;
        foreach (var c in text.Trim())
        {
            if (c is '"' or '“' or '”')
            {
                inQuotes = !inQuotes;
                hasToken = true;
            }
            else if (char.IsWhiteSpace(c) && !inQuotes)
            {
                if (hasToken) tokens.Add(current.ToString());
                current.Clear();
                hasToken = false;
            }
            else
            {
                current.Append(c);
                hasToken = true;
            }
        }
        if (inQuotes)
        {
            error = "A double quote is not closed.";
            return false;
        }
        if (hasToken) tokens.Add(current.ToString());
        return true;
    }

    /// <summary>The candidate closest to <paramref name="word"/>, when it is close enough to be a typo.</summary>
    public static string? Suggest(string word, IEnumerable<string> candidates)
    {
        word = Comparable(word);
        return RankByCloseness(word, candidates).Where(c => Distance(word, c) <= Math.Max(2, c.Length / 3) || c.StartsWith(word, StringComparison.OrdinalIgnoreCase)).FirstOrDefault();
    }

    public static IReadOnlyList<string> RankByCloseness(string word, IEnumerable<string> candidates)
    {
        word = Comparable(word);
        return candidates.OrderBy(c => c.StartsWith(word, StringComparison.OrdinalIgnoreCase) || word.StartsWith(c, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(c => Distance(word, c))
            .ThenBy(c => c, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Candidates are short ids, so only the start of a long word can be near one: comparing that much keeps a suggestion
    /// cheap however long the word is, and ranks the same (a word this long is no typo of any candidate anyway).
    /// </summary>
    private static string Comparable(string word) => word.Length <= MaxCompared ? word : word[..MaxCompared];

    private const int MaxCompared = 64;

    /// <summary>Edit distance that counts two swapped neighbours as one typo ("stauts" is one step from "status").</summary>
    internal static int Distance(string a, string b)
    {
        // Three rows (two back, for a swap) instead of the whole table: memory grows with the shorter side only.
        var before = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var ai = char.ToLowerInvariant(a[i - 1]);
            for (var j = 1; j <= b.Length; j++)
            {
                var bj = char.ToLowerInvariant(b[j - 1]);
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (ai == bj ? 0 : 1));
                if (i > 1 && j > 1 && ai == char.ToLowerInvariant(b[j - 2]) && char.ToLowerInvariant(a[i - 2]) == bj)
                    current[j] = Math.Min(current[j], before[j - 2] + 1);
            }
            (before, previous, current) = (previous, current, before);
        }
        return previous[b.Length];
    }
}
