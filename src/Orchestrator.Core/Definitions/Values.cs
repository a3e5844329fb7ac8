using System.Globalization;

namespace Orchestrator.Core.Definitions;

/// <summary>
/// The one place that decides how text is read as a number, date or email, so that input validation
/// and <c>when</c> conditions can never disagree about what "1000" or "2026-03-29" means.
/// </summary>
internal static class Values
{
    private const NumberStyles NumberStyle =
        NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite;

    public static bool TryNumber(string? text, out decimal value)
    {
        value = 0;
        return text is not null && decimal.TryParse(text, NumberStyle, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryDate(string? text, out DateOnly value)
    {
        value = default;
        return text is not null
            && DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    public static string FormatNumber(decimal value) =>
        value.ToString("0.############################", CultureInfo.InvariantCulture);

    public static bool IsEmail(string text)
    {
        var at = text.IndexOf('@');
        if (at <= 0 || at != text.LastIndexOf('@') || at == text.Length - 1) return false;
        if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or ',' or ';' or '"')) return false;
        var domain = text[(at + 1)..];
        var dot = domain.IndexOf('.');
        return dot > 0 && dot < domain.Length - 1 && !domain.Contains("..", StringComparison.Ordinal);
    }
}
