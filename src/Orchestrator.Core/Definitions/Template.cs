using System.Text.RegularExpressions;

namespace Orchestrator.Core.Definitions;

/// <summary>Titles with <c>{{ field }}</c> placeholders filled from a workflow's inputs.</summary>
public static partial class Template
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        // The caller's dictionary may be case-sensitive; placeholders should not depend on that.
        var lookup = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values) lookup.TryAdd(key, value);
        return Placeholder().Replace(template, m => lookup.GetValueOrDefault(m.Groups[1].Value) ?? "");
    }

    /// <summary>Distinct field names in order of first appearance.</summary>
    public static IReadOnlyList<string> Fields(string template)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var fields = new List<string>();
        foreach (Match m in Placeholder().Matches(template))
        {
            if (seen.Add(m.Groups[1].Value)) fields.Add(m.Groups[1].Value);
        }
        return fields;
    }
}
