using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Core.Definitions;

/// <summary>
/// A step's <c>when</c> expression over the workflow inputs, e.g. <c>amount &gt; 1000 and not urgent</c>.
/// Kept as its source text in storage so a stored instance shows exactly what the admin wrote.
/// </summary>
[JsonConverter(typeof(ConditionJsonConverter))]
public sealed class Condition : IEquatable<Condition>
{
    private readonly Node _root;

    private Condition(string source, Node root, IReadOnlyList<string> identifiers)
    {
        Source = source;
        _root = root;
        Identifiers = identifiers;
    }

    public string Source { get; }

    /// <summary>The input ids the expression reads, each once, in order of first appearance.</summary>
    public IReadOnlyList<string> Identifiers { get; }

    public static bool TryParse(string source, out Condition? condition, out string error)
    {
        condition = null;
        error = "";
        var text = source.Trim();
        if (text.Length == 0)
        {
            error = "the condition is empty";
            return false;
        }
        try
        {
            var parser = new Parser(Lexer.Tokenize(text));
            var root = parser.ParseAll();
            condition = new Condition(text, root, parser.Identifiers);
            return true;
        }
        catch (ConditionSyntaxException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    public static Condition Parse(string source) =>
        TryParse(source, out var condition, out var error) ? condition! : throw new FormatException(error);

    public bool Evaluate(IReadOnlyDictionary<string, string> inputs)
    {
        // Callers pass whatever dictionary they hold; input ids are case-insensitive everywhere else too.
        var lookup = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in inputs) lookup.TryAdd(key, value);
        return Truthy(_root.Evaluate(lookup));
    }

    public bool Equals(Condition? other) => other is not null && string.Equals(Source, other.Source, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Condition);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Source);

    public override string ToString() => Source;

    private static bool Truthy(string? value) =>
        !string.IsNullOrEmpty(value)
        && !value.Equals("false", StringComparison.OrdinalIgnoreCase)
        && !(Values.TryNumber(value, out var n) && n == 0);

    private static string Bool(bool value) => value ? "true" : "false";

    private static int? Compare(string left, string right)
    {
        if (Values.TryNumber(left, out var a) && Values.TryNumber(right, out var b)) return a.CompareTo(b);
        if (Values.TryDate(left, out var x) && Values.TryDate(right, out var y)) return x.CompareTo(y);
        return string.Compare(left.Trim(), right.Trim(), StringComparison.OrdinalIgnoreCase);
    }

    private abstract record Node
    {
        /// <summary>The value as text, or null for an input that was not given.</summary>
        public abstract string? Evaluate(IReadOnlyDictionary<string, string> inputs);
    }

    private sealed record Literal(string Value) : Node
    {
        public override string? Evaluate(IReadOnlyDictionary<string, string> inputs) => Value;
    }

    private sealed record Identifier(string Name) : Node
    {
        public override string? Evaluate(IReadOnlyDictionary<string, string> inputs) => inputs.GetValueOrDefault(Name);
    }

    private sealed record Not(Node Operand) : Node
    {
        public override string? Evaluate(IReadOnlyDictionary<string, string> inputs) => Bool(!Truthy(Operand.Evaluate(inputs)));
    }

    private sealed record And(Node Left, Node Right) : Node
    {
        public override string? Evaluate(IReadOnlyDictionary<string, string> inputs) =>
            Bool(Truthy(Left.Evaluate(inputs)) && Truthy(Right.Evaluate(inputs)));
    }

    private sealed record Or(Node Left, Node Right) : Node
    {
        public override string? Evaluate(IReadOnlyDictionary<string, string> inputs) =>
            Bool(Truthy(Left.Evaluate(inputs)) || Truthy(Right.Evaluate(inputs)));
    }

    private sealed record Comparison(Node Left, string Operator, Node Right) : Node
    {
        public override string? Evaluate(IReadOnlyDictionary<string, string> inputs)
        {
            var left = Left.Evaluate(inputs);
            var right = Right.Evaluate(inputs);
            if (left is null || right is null) return Bool(false);
            var order = Compare(left, right);
            return Bool(order is { } c && Operator switch
            {
                ">" => c > 0,
                ">=" => c >= 0,
                "<" => c < 0,
                "<=" => c <= 0,
                "==" => c == 0,
                "!=" => c != 0,
                _ => false,
            });
        }
    }

    private enum TokenKind { Number, String, Word, Operator, Open, Close, End }

    private sealed record Token(TokenKind Kind, string Text, int Position);

    private sealed class ConditionSyntaxException(string message) : Exception(message);

    private static class Lexer
    {
        public static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                var start = i;
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c == '(') { tokens.Add(new(TokenKind.Open, "(", start)); i++; continue; }
                if (c == ')') { tokens.Add(new(TokenKind.Close, ")", start)); i++; continue; }
                if (c is '>' or '<' or '=' or '!')
                {
                    var two = i + 1 < text.Length && text[i + 1] == '=';
                    var op = two ? text.Substring(i, 2) : c.ToString();
                    if (op == "!") throw new ConditionSyntaxException($"unexpected '!' at position {start + 1}; write 'not' or '!='");
                    i += op.Length;
                    tokens.Add(new(TokenKind.Operator, op == "=" ? "==" : op, start));
                    continue;
                }
                if (c is '\'' or '"')
                {
                    var value = new StringBuilder();
                    i++;
                    while (i < text.Length && text[i] != c) value.Append(text[i++]);
                    if (i >= text.Length) throw new ConditionSyntaxException($"the text starting at position {start + 1} has no closing {c}");
                    i++;
                    tokens.Add(new(TokenKind.String, value.ToString(), start));
                    continue;
                }
                if (char.IsAsciiDigit(c) || (c is '-' or '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    i++;
                    while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
                    var number = text[start..i];
                    if (!decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
                        throw new ConditionSyntaxException($"'{number}' at position {start + 1} is not a number");
                    // A date literal such as 2026-03-29 reads as digits and dashes; keep it whole as text.
                    if (i < text.Length && text[i] == '-' && number.Length == 4)
                    {
                        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '-')) i++;
                        tokens.Add(new(TokenKind.String, text[start..i], start));
                        continue;
                    }
                    if (i < text.Length && IsWordChar(text[i]))
                        throw new ConditionSyntaxException($"unexpected '{text[i]}' after the number at position {start + 1}");
                    tokens.Add(new(TokenKind.Number, number, start));
                    continue;
                }
                if (char.IsLetter(c) || c == '_')
                {
                    i++;
                    while (i < text.Length && IsWordChar(text[i])) i++;
                    tokens.Add(new(TokenKind.Word, text[start..i], start));
                    continue;
                }
                throw new ConditionSyntaxException($"unexpected '{c}' at position {start + 1}");
            }
            tokens.Add(new(TokenKind.End, "", text.Length));
            return tokens;
        }

        private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.';
    }

    /// <summary>
    /// or := and ('or' and)* ; and := unary ('and' unary)* ; unary := 'not' unary | comparison ;
    /// comparison := primary (op primary)? ; primary := '(' or ')' | number | string | true | false | identifier
    /// </summary>
    private sealed class Parser(List<Token> tokens)
    {
        private readonly List<string> _identifiers = [];
        private int _next;

        public IReadOnlyList<string> Identifiers => _identifiers;

        private Token Peek => tokens[_next];

        public Node ParseAll()
        {
            var node = ParseOr();
            if (Peek.Kind != TokenKind.End) throw Unexpected(Peek);
            return node;
        }

        private Node ParseOr()
        {
            var left = ParseAnd();
            while (IsKeyword(Peek, "or"))
            {
                _next++;
                left = new Or(left, ParseAnd());
            }
            return left;
        }

        private Node ParseAnd()
        {
            var left = ParseUnary();
            while (IsKeyword(Peek, "and"))
            {
                _next++;
                left = new And(left, ParseUnary());
            }
            return left;
        }

        private Node ParseUnary()
        {
            if (IsKeyword(Peek, "not"))
            {
                _next++;
                return new Not(ParseUnary());
            }
            return ParseComparison();
        }

        private Node ParseComparison()
        {
            var left = ParsePrimary();
            if (Peek.Kind != TokenKind.Operator) return left;
            var op = tokens[_next++].Text;
            var right = ParsePrimary();
            if (Peek.Kind == TokenKind.Operator)
                throw new ConditionSyntaxException($"comparisons cannot be chained (position {Peek.Position + 1}); join them with 'and'");
            return new Comparison(left, op, right);
        }

        private Node ParsePrimary()
        {
            var token = Peek;
            switch (token.Kind)
            {
                case TokenKind.Open:
                    _next++;
                    var inner = ParseOr();
                    if (Peek.Kind != TokenKind.Close)
                        throw new ConditionSyntaxException($"expected ')' at position {Peek.Position + 1} to close the '(' at position {token.Position + 1}");
                    _next++;
                    return inner;
                case TokenKind.Number:
                case TokenKind.String:
                    _next++;
                    return new Literal(token.Text);
                case TokenKind.Word when IsKeyword(token, "true") || IsKeyword(token, "false"):
                    _next++;
                    return new Literal(token.Text.ToLowerInvariant());
                case TokenKind.Word when IsKeyword(token, "and") || IsKeyword(token, "or") || IsKeyword(token, "not"):
                    throw new ConditionSyntaxException($"expected a value at position {token.Position + 1}, got '{token.Text}'");
                case TokenKind.Word:
                    _next++;
                    if (!_identifiers.Contains(token.Text, StringComparer.OrdinalIgnoreCase)) _identifiers.Add(token.Text);
                    return new Identifier(token.Text);
                default:
                    throw Unexpected(token);
            }
        }

        private static bool IsKeyword(Token token, string word) =>
            token.Kind == TokenKind.Word && token.Text.Equals(word, StringComparison.OrdinalIgnoreCase);

        private static ConditionSyntaxException Unexpected(Token token) => token.Kind == TokenKind.End
            ? new ConditionSyntaxException("the condition ends too early; a value is missing")
            : new ConditionSyntaxException($"unexpected '{token.Text}' at position {token.Position + 1}");
    }
}

/// <summary>Stores a <see cref="Condition"/> as its source text.</summary>
public sealed class ConditionJsonConverter : JsonConverter<Condition>
{
    public override Condition? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("a condition must be stored as a string");
        var source = reader.GetString() ?? "";
        return Condition.TryParse(source, out var condition, out var error)
            ? condition
            : throw new JsonException($"invalid condition '{source}': {error}");
    }

    public override void Write(Utf8JsonWriter writer, Condition value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Source);
}
