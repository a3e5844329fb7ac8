using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.Definitions;

/// <summary>
/// Reads YAML through the representation model, which keeps every node's position, and collects
/// errors instead of throwing so one pass reports every mistake in a file.
/// </summary>
internal sealed class YamlNodes(string path)
{
    private readonly List<DefinitionError> _errors = [];

    public IReadOnlyList<DefinitionError> Errors => _errors;

    public void Error(YamlNode? node, string field, string message) => _errors.Add(new(path, Line(node), field, message));

    public void Error(int line, string field, string message) => _errors.Add(new(path, line, field, message));

    public static int Line(YamlNode? node) => node is null ? 0 : (int)Math.Max(1, node.Start.Line);

    /// <summary>The root node of a single-document file; null (with the error recorded) when the YAML is malformed.</summary>
    public YamlNode? LoadRoot(string yaml, out bool empty)
    {
        empty = false;
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (Exception ex) when (IsParserFailure(ex))
        {
            // YamlDotNet reports some malformed input (an unclosed flow mapping) with InvalidOperationException and no
            // position; the bracket that was never closed is what the author has to fix, so point there when there is one.
            if (UnclosedBracket(yaml) is { } open)
            {
                Error(open.Line, open.Column, $"not valid YAML: this '{open.Bracket}' is never closed; add its '{(open.Bracket == '{' ? '}' : ']')}'");
            }
            else
            {
                var at = ex is YamlException y ? (y.InnerException as YamlException ?? y).Start : scanner.CurrentPosition;
                Error((int)Math.Max(1, at.Line), (int)Math.Max(1, at.Column), $"not valid YAML: {Describe(ex)}");
            }
            return null;
        }
        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            empty = true;
            return null;
        }
        if (stream.Documents.Count > 1)
            Error(stream.Documents[1].RootNode, "", "the file holds more than one YAML document; keep one per file");
        return stream.Documents[0].RootNode;
    }

    private void Error(int line, int column, string message) => _errors.Add(new(path, line, "", message) { Column = column });

    /// <summary>
    /// What YamlDotNet throws on malformed text: its own YamlException, and for some inputs exceptions of its internal state
    /// (seen: InvalidOperationException from the scanner on an unclosed flow mapping). Any of them means "not valid YAML".
    /// </summary>
    private static bool IsParserFailure(Exception ex) =>
        ex is YamlException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException;

    /// <summary>
    /// The first '{' or '[' that is never closed (or is closed by the wrong bracket), found by a small scan of flow brackets:
    /// YamlDotNet stops somewhere after it, often at the end of the file, where nothing can be fixed.
    /// </summary>
    private static (char Bracket, int Line, int Column)? UnclosedBracket(string yaml)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        char? quote = null;
        var lines = yaml.Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            var line = lines[l];
            var valueStart = true;
            for (var c = 0; c < line.Length; c++)
            {
                var ch = line[c];
                if (quote is { } q)
                {
                    if (ch == '\\' && q == '"') c++;
                    else if (ch == q && q == '\'' && c + 1 < line.Length && line[c + 1] == '\'') c++;
                    else if (ch == q) quote = null;
                    continue;
                }
                if (ch == '#' && (c == 0 || char.IsWhiteSpace(line[c - 1]))) break;
                if (char.IsWhiteSpace(ch)) continue;
                var next = c + 1 < line.Length ? line[c + 1] : ' ';
                if (valueStart && ch is '{' or '[')
                {
                    open.Push((ch, l + 1, c + 1));
                }
                else if (open.Count > 0 && ch is '}' or ']')
                {
                    if (ch != (open.Peek().Bracket == '{' ? '}' : ']')) return open.Peek();
                    open.Pop();
                    valueStart = false;
                }
                else if (valueStart && ch is '"' or '\'')
                {
                    quote = ch;
                    valueStart = false;
                }
                else
                {
                    valueStart = (open.Count > 0 && ch == ',') || (ch == ':' && (char.IsWhiteSpace(next) || next == ',')) ||
                                 (valueStart && ch is '-' or '?' && char.IsWhiteSpace(next));
                }
            }
        }
        // An open quote swallowed the rest of the file: that, not a bracket, is the mistake, and YamlDotNet says so.
        return open.Count > 0 && quote is null ? open.Reverse().First() : null;
    }

    /// <summary>The entries of a mapping, with unknown keys reported against the list of allowed ones.</summary>
    public Dictionary<string, (YamlScalarNode Key, YamlNode Value)> Entries(YamlMappingNode mapping, string prefix, IReadOnlyList<string> allowed)
    {
        var entries = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalar)
            {
                Error(keyNode, prefix, "keys must be plain words");
                continue;
            }
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                var near = allowed.FirstOrDefault(a => Loose(a) == Loose(key));
                var hint = near is null ? "" : $" (did you mean '{near}'?)";
                Error(scalar, Join(prefix, key), $"unknown key '{key}'{hint}; allowed: {string.Join(", ", allowed)}");
                continue;
            }
            entries[key] = (scalar, value);
        }
        return entries;
    }

    /// <summary>The text of a scalar value; null (with an error) for a list, a mapping or an empty value.</summary>
    public string? Text(YamlNode node, string field)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar) && !string.IsNullOrWhiteSpace(scalar.Value)) return scalar.Value!.Trim();
        Error(node, field, node is YamlScalarNode ? "must not be empty" : "must be a single value, not a list or mapping");
        return null;
    }

    /// <summary>A scalar or a list of scalars, each with its node so errors can point at the exact item.</summary>
    public List<(string Text, YamlNode Node, string Field)> TextList(YamlNode node, string field)
    {
        var items = new List<(string, YamlNode, string)>();
        if (node is YamlSequenceNode sequence)
        {
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                var itemField = $"{field}[{i}]";
                if (Text(sequence.Children[i], itemField) is { } text) items.Add((text, sequence.Children[i], itemField));
            }
        }
        else if (Text(node, field) is { } text)
        {
            items.Add((text, node, field));
        }
        return items;
    }

    public bool? Bool(YamlNode node, string field)
    {
        var text = Text(node, field);
        if (text is null) return null;
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes": return true;
            case "false" or "no": return false;
            default:
                Error(node, field, $"must be true or false, got '{text}'");
                return null;
        }
    }

    /// <summary>Spelling that ignores case and separators, to suggest 'business_hours' for 'businessHours'.</summary>
    private static string Loose(string key) => new(key.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Join(string prefix, string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

    private static string Describe(Exception ex)
    {
        if (ex is not YamlException) return "the text cannot be read as YAML from here on (check indentation, quotes and brackets)";
        // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: ..) - (Line: ..): "; the line is reported separately.
        var message = (ex.InnerException as YamlException ?? ex).Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 ? message[(cut + 3)..] : message;
    }
}
