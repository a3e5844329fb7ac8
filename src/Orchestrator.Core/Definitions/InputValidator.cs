namespace Orchestrator.Core.Definitions;

public sealed record InputError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

public sealed record InputValidation
{
    /// <summary>Normalized values keyed by the input ids as the definition spells them.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyList<InputError> Errors { get; init; } = [];

    /// <summary>Required inputs not given: the caller asks for them (a modal, a form card) instead of refusing.</summary>
    public IReadOnlyList<InputDefinition> MissingRequired { get; init; } = [];

    public bool IsValid => Errors.Count == 0;

    public bool IsComplete => Errors.Count == 0 && MissingRequired.Count == 0;
}

/// <summary>Checks and normalizes what a requester typed, so later steps compare clean values.</summary>
public static class InputValidator
{
    public static InputValidation Validate(WorkflowDefinition def, IReadOnlyDictionary<string, string> raw)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<InputError>();
        var given = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        foreach (var (key, rawValue) in raw.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var input = def.FindInput(key.Trim());
            if (input is null)
            {
                var valid = def.Inputs.Count == 0 ? "this workflow takes no inputs" : $"valid inputs: {string.Join(", ", def.Inputs.Select(i => i.Id))}";
                var name = TextLimits.Clip(key);
                errors.Add(new(name, $"unknown input '{name}'; {valid}"));
                continue;
            }
            if (!given.Add(input.Id))
            {
                errors.Add(new(input.Id, $"{input.Id} is given more than once"));
                continue;
            }
            var text = (rawValue ?? "").Trim();
            // An empty value is the same as leaving the field out: required ones are asked for again.
            if (text.Length == 0) continue;
            if (TextLimits.Exceeded(input.Id, text, TextLimits.Input) is { } tooLong)
            {
                errors.Add(new(input.Id, tooLong));
                continue;
            }
            if (TryNormalize(input, text, out var normalized, out var error)) values[input.Id] = normalized;
            else errors.Add(new(input.Id, error));
        }

        var missing = def.Inputs
            .Where(i => i.Required && !values.ContainsKey(i.Id) && !errors.Any(e => e.Field.Equals(i.Id, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return new InputValidation { Values = values, Errors = errors, MissingRequired = missing };
    }

    private static bool TryNormalize(InputDefinition input, string text, out string value, out string error)
    {
        value = text;
        error = "";
        switch (input.Type)
        {
            case InputType.Number:
                if (Values.TryNumber(text, out var number))
                {
                    value = Values.FormatNumber(number);
                    return true;
                }
                error = $"{input.Id} must be a number, got '{TextLimits.Clip(text)}'";
                return false;
            case InputType.Date:
                if (Values.TryDate(text, out var date))
                {
                    value = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                    return true;
                }
                error = $"{input.Id} must be a date as YYYY-MM-DD, got '{TextLimits.Clip(text)}'";
                return false;
            case InputType.Choice:
                var option = input.Options.FirstOrDefault(o => o.Equals(text, StringComparison.OrdinalIgnoreCase));
                if (option is not null)
                {
                    value = option;
                    return true;
                }
                error = $"{input.Id} must be one of {string.Join(", ", input.Options)}, got '{TextLimits.Clip(text)}'";
                return false;
            case InputType.Person:
                var email = text.StartsWith("person:", StringComparison.OrdinalIgnoreCase) ? text[7..].Trim() : text;
                if (Values.IsEmail(email))
                {
                    value = email.ToLowerInvariant();
                    return true;
                }
                error = $"{input.Id} must be an email address, got '{TextLimits.Clip(text)}'";
                return false;
            default:
                return true;
        }
    }
}
