using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Core.People;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.Definitions;

/// <summary>
/// Reads workflow definition files. Every mistake in a file is reported with its line and field, and a
/// file with any mistake yields no definition, so nothing half-understood ever runs; other files still load.
/// Given a directory, the people a file names are checked against it too: those errors are reported but keep the
/// definition, because the directory may be what is wrong (and a step nobody can take already waits on an admin).
/// </summary>
public static partial class DefinitionLoader
{
    private static readonly string[] TopKeys = ["id", "name", "inputs", "steps", "business_hours", "webhook"];
    private static readonly string[] InputKeys = ["id", "label", "type", "required", "options"];
    private static readonly string[] StepKeys = ["id", "kind", "title", "assignees", "mode", "when", "remind", "due", "on_timeout", "escalate_to", "on_reject"];
    private static readonly string[] InputTypes = ["text", "number", "date", "choice", "person"];
    private static readonly string[] StepKinds = ["approval", "task", "notify"];
    private static readonly string[] TimeoutActions = ["escalate", "approve", "reject", "cancel", "notify"];
    private static readonly string[] RejectActions = ["end", "back-to-requester"];

    /// <summary>A template field that is always available besides the inputs.</summary>
    private const string RequesterField = "requester";

    [GeneratedRegex("^[a-z0-9-]+$")]
    private static partial Regex WorkflowId();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex InputId();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex StepId();

    public static DefinitionLoadResult LoadFolder(string folder, PeopleDirectory? people = null)
    {
        if (!Directory.Exists(folder))
            return new() { Errors = [new(folder, 0, "", "the folder does not exist")] };

        var files = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
        var definitions = new List<WorkflowDefinition>();
        var errors = new List<DefinitionError>();
        var warnings = new List<DefinitionError>();
        var firstSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var errorsBefore = errors.Count;
            var text = ReadText(file, errors);
            if (errors.Count > errorsBefore) continue;
            var (definition, idLine, fileErrors, references) = ParseCore(text, file);
            errors.AddRange(fileErrors);
            if (people is not null) Check(references, people, errors, warnings);
            if (definition is null) continue;
            if (firstSeen.TryGetValue(definition.Id, out var earlier))
            {
                errors.Add(new(file, idLine, "id", $"the id '{definition.Id}' is already used by {earlier}"));
                continue;
            }
            firstSeen[definition.Id] = file;
            definitions.Add(definition);
        }
        return new() { Definitions = definitions, Errors = errors, Warnings = warnings };
    }

    public static DefinitionLoadResult LoadFile(string path, PeopleDirectory? people = null)
    {
        if (!File.Exists(path)) return new() { Errors = [new(path, 0, "", "the file does not exist")] };
        var errors = new List<DefinitionError>();
        var text = ReadText(path, errors);
        if (errors.Count > 0) return new() { Errors = errors };
        return Parse(text, path, people);
    }

    public static DefinitionLoadResult Parse(string yaml, string path, PeopleDirectory? people = null)
    {
        var (definition, _, parseErrors, references) = ParseCore(yaml, path);
        var errors = parseErrors.ToList();
        var warnings = new List<DefinitionError>();
        if (people is not null) Check(references, people, errors, warnings);
        return new() { Definitions = definition is null ? [] : [definition], Errors = errors, Warnings = warnings };
    }

    private static void Check(DirectoryReferences references, PeopleDirectory people, List<DefinitionError> errors, List<DefinitionError> warnings)
    {
        var (found, doubts) = references.Check(people);
        errors.AddRange(found);
        warnings.AddRange(doubts);
    }

    private static string ReadText(string path, List<DefinitionError> errors)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add(new(path, 0, "", $"cannot be read: {ex.Message}"));
            return "";
        }
    }

    private static (WorkflowDefinition? Definition, int IdLine, IReadOnlyList<DefinitionError> Errors, DirectoryReferences References) ParseCore(string yaml, string path)
    {
        var y = new YamlNodes(path);
        var references = new DirectoryReferences(path);
        var root = y.LoadRoot(yaml, out var empty);
        if (empty) y.Error(1, "", "the file is empty; a workflow needs at least an id, a name and steps");
        if (root is null) return (null, 0, y.Errors, references);
        if (root is not YamlMappingNode mapping)
        {
            y.Error(root, "", "a workflow file must be a mapping with id, name, inputs and steps");
            return (null, 0, y.Errors, references);
        }

        var e = y.Entries(mapping, "", TopKeys);
        var idLine = YamlNodes.Line(mapping);
        string? id = null;
        if (e.TryGetValue("id", out var idEntry))
        {
            idLine = YamlNodes.Line(idEntry.Value);
            id = y.Text(idEntry.Value, "id");
            if (id is not null && !WorkflowId().IsMatch(id))
            {
                y.Error(idEntry.Value, "id", $"'{id}' may only contain lowercase letters, digits and '-'");
                id = null;
            }
        }
        else
        {
            y.Error(mapping, "id", "is required");
        }

        string? name = null;
        if (e.TryGetValue("name", out var nameEntry)) name = y.Text(nameEntry.Value, "name");
        else y.Error(mapping, "name", "is required");

        var inputs = e.TryGetValue("inputs", out var inputsEntry) ? ParseInputs(y, inputsEntry.Value) : [];
        var steps = ParseSteps(y, mapping, e, inputs, references);

        BusinessHours? hours = null;
        if (e.TryGetValue("business_hours", out var hoursEntry) && y.Text(hoursEntry.Value, "business_hours") is { } hoursText)
        {
            if (BusinessHours.TryParse(hoursText, out var parsed, out var error)) hours = parsed;
            else y.Error(hoursEntry.Value, "business_hours", error);
        }

        string? webhook = null;
        if (e.TryGetValue("webhook", out var webhookEntry) && y.Text(webhookEntry.Value, "webhook") is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                webhook = url;
            else
                y.Error(webhookEntry.Value, "webhook", $"'{url}' must be an absolute http:// or https:// URL");
        }

        if (y.Errors.Count > 0 || id is null || name is null) return (null, idLine, y.Errors, references);
        var definition = new WorkflowDefinition
        {
            Id = id,
            Name = name,
            Version = VersionOf(yaml),
            Inputs = inputs,
            Steps = steps,
            BusinessHours = hours,
            Webhook = webhook,
            SourcePath = path,
        };
        return (definition, idLine, y.Errors, references);
    }

    /// <summary>First 12 hex digits of the SHA-256 of the file text: enough to tell versions apart, short enough to show.</summary>
    public static string VersionOf(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    private static List<InputDefinition> ParseInputs(YamlNodes y, YamlNode node)
    {
        var inputs = new List<InputDefinition>();
        if (YamlNodes.IsNull(node)) return inputs;
        if (node is not YamlSequenceNode sequence)
        {
            y.Error(node, "inputs", "must be a list of inputs, each with id and type");
            return inputs;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var prefix = $"inputs[{i}]";
            if (sequence.Children[i] is not YamlMappingNode item)
            {
                y.Error(sequence.Children[i], prefix, "must be a mapping such as { id: amount, type: number }");
                continue;
            }
            var e = y.Entries(item, prefix, InputKeys);

            string? id = null;
            if (!e.TryGetValue("id", out var idEntry)) y.Error(item, $"{prefix}.id", "is required");
            else if ((id = y.Text(idEntry.Value, $"{prefix}.id")) is null) { }
            else if (!InputId().IsMatch(id))
                y.Error(idEntry.Value, $"{prefix}.id", $"'{id}' must start with a letter and contain only letters, digits, '_' and '-'");
            else if (id.Equals(RequesterField, StringComparison.OrdinalIgnoreCase))
                y.Error(idEntry.Value, $"{prefix}.id", "'requester' is reserved for the person who starts the workflow");
            else if (!seen.Add(id))
                y.Error(idEntry.Value, $"{prefix}.id", $"the input id '{id}' is used twice");

            var type = InputType.Text;
            if (e.TryGetValue("type", out var typeEntry) && OneOf(y, typeEntry.Value, $"{prefix}.type", InputTypes) is { } t)
                type = Enum.Parse<InputType>(t, ignoreCase: true);

            var label = id ?? "";
            if (e.TryGetValue("label", out var labelEntry) && y.Text(labelEntry.Value, $"{prefix}.label") is { } l) label = l;

            var required = false;
            if (e.TryGetValue("required", out var requiredEntry) && y.Bool(requiredEntry.Value, $"{prefix}.required") is { } r) required = r;

            var options = new List<string>();
            if (e.TryGetValue("options", out var optionsEntry))
            {
                if (type != InputType.Choice)
                {
                    y.Error(optionsEntry.Key, $"{prefix}.options", "only a choice input has options");
                }
                var optionSeen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (text, optionNode, field) in y.TextList(optionsEntry.Value, $"{prefix}.options"))
                {
                    if (optionSeen.Add(text)) options.Add(text);
                    else
                    {
                        y.Error(optionNode, field, $"the option '{text}' is listed twice");
                    }
                }
            }
            if (type == InputType.Choice && options.Count == 0)
            {
                y.Error(optionsEntry.Value ?? item, $"{prefix}.options", "a choice input needs a list of options");
            }

            // Kept even when wrong so later references to it are not reported a second time; the file fails anyway.
            if (id is not null)
                inputs.Add(new InputDefinition { Id = id, Label = label, Type = type, Required = required, Options = options });
        }
        return inputs;
    }

    private static List<StepDefinition> ParseSteps(
        YamlNodes y, YamlMappingNode root, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> top, List<InputDefinition> inputs, DirectoryReferences references)
    {
        var steps = new List<StepDefinition>();
        if (!top.TryGetValue("steps", out var stepsEntry) || YamlNodes.IsNull(stepsEntry.Value))
        {
            y.Error(stepsEntry.Value ?? root, "steps", "at least one step is required");
            return steps;
        }
        if (stepsEntry.Value is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            y.Error(stepsEntry.Value, "steps", "must be a list with at least one step");
            return steps;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var prefix = $"steps[{i}]";
            if (sequence.Children[i] is not YamlMappingNode item)
            {
                y.Error(sequence.Children[i], prefix, "must be a mapping with id, title and assignees");
                continue;
            }
            if (ParseStep(y, item, prefix, inputs, seen, references) is { } step) steps.Add(step);
        }
        return steps;
    }

    private static StepDefinition? ParseStep(
        YamlNodes y, YamlMappingNode item, string prefix, List<InputDefinition> inputs, HashSet<string> seen, DirectoryReferences references)
    {
        var errorsBefore = y.Errors.Count;
        var e = y.Entries(item, prefix, StepKeys);
        string Field(string key) => $"{prefix}.{key}";

        string? id = null;
        if (!e.TryGetValue("id", out var idEntry)) y.Error(item, Field("id"), "is required");
        else if ((id = y.Text(idEntry.Value, Field("id"))) is null) { }
        else if (!StepId().IsMatch(id)) y.Error(idEntry.Value, Field("id"), $"'{id}' may only contain letters, digits, '_' and '-'");
        else if (!seen.Add(id)) y.Error(idEntry.Value, Field("id"), $"the step id '{id}' is used twice");

        var kind = StepKind.Approval;
        if (e.TryGetValue("kind", out var kindEntry) && OneOf(y, kindEntry.Value, Field("kind"), StepKinds) is { } k)
            kind = Enum.Parse<StepKind>(k, ignoreCase: true);

        // PRODUCT.md's own example leaves a step without a title: the card then names the step by its id.
        string? title = id;
        if (!e.TryGetValue("title", out var titleEntry)) { }
        else if ((title = y.Text(titleEntry.Value, Field("title"))) is not null)
        {
            foreach (var field in Template.Fields(title))
            {
                if (!field.Equals(RequesterField, StringComparison.OrdinalIgnoreCase) && !HasInput(inputs, field))
                    y.Error(titleEntry.Value, Field("title"), $"'{{{{{field}}}}}' is not an input; use one of {FieldList(inputs, RequesterField)}");
            }
        }

        var errorsBeforeAssignees = y.Errors.Count;
        var assignees = e.TryGetValue("assignees", out var assigneesEntry)
            ? Assignees(y, assigneesEntry.Value, Field("assignees"), references)
            : [];
        if (kind != StepKind.Notify && assignees.Count == 0 && y.Errors.Count == errorsBeforeAssignees)
            y.Error(assigneesEntry.Value ?? item, Field("assignees"), $"a{(kind == StepKind.Approval ? "n approval" : " task")} step needs at least one assignee");

        var mode = DecisionMode.Any;
        if (e.TryGetValue("mode", out var modeEntry) && y.Text(modeEntry.Value, Field("mode")) is { } modeText)
        {
            if (DecisionMode.TryParse(modeText, out var parsed)) references.Quorum(mode = parsed, modeEntry.Value, Field("mode"), assignees);
            else y.Error(modeEntry.Value, Field("mode"), $"'{modeText}' is not a mode; use any, all or quorum:N with N at least 1");
        }

        Condition? when = null;
        if (e.TryGetValue("when", out var whenEntry) && y.Text(whenEntry.Value, Field("when")) is { } whenText)
        {
            if (!Condition.TryParse(whenText, out when, out var error)) y.Error(whenEntry.Value, Field("when"), error);
            else
            {
                foreach (var identifier in when!.Identifiers.Where(n => !HasInput(inputs, n)))
                    y.Error(whenEntry.Value, Field("when"), $"'{identifier}' is not an input; use one of {FieldList(inputs)}");
            }
        }

        var remind = Duration(y, e, "remind", Field("remind"));
        var due = Duration(y, e, "due", Field("due"));

        TimeoutAction? onTimeout = null;
        if (e.TryGetValue("on_timeout", out var timeoutEntry) && OneOf(y, timeoutEntry.Value, Field("on_timeout"), TimeoutActions) is { } t)
        {
            onTimeout = Enum.Parse<TimeoutAction>(t, ignoreCase: true);
            if (!e.ContainsKey("due")) y.Error(timeoutEntry.Value, Field("on_timeout"), "needs a due time: add 'due', e.g. due: 1d");
        }

        IReadOnlyList<AssigneeSpec> escalateTo = [];
        if (e.TryGetValue("escalate_to", out var escalateEntry))
        {
            escalateTo = Assignees(y, escalateEntry.Value, Field("escalate_to"), references);
            if (onTimeout != TimeoutAction.Escalate && (onTimeout is not null || !e.ContainsKey("on_timeout")))
                y.Error(escalateEntry.Key, Field("escalate_to"), "is only used with on_timeout: escalate");
        }
        if (onTimeout == TimeoutAction.Escalate && !e.ContainsKey("escalate_to"))
            y.Error(timeoutEntry.Value, Field("escalate_to"), "on_timeout: escalate needs escalate_to, e.g. escalate_to: role:finance-leads");

        var onReject = RejectAction.End;
        if (e.TryGetValue("on_reject", out var rejectEntry) && OneOf(y, rejectEntry.Value, Field("on_reject"), RejectActions) is { } r)
        {
            onReject = r == "end" ? RejectAction.End : RejectAction.BackToRequester;
            if (kind != StepKind.Approval)
                y.Error(rejectEntry.Key, Field("on_reject"), $"only an approval step can be rejected; a {kind.ToString().ToLowerInvariant()} step takes no on_reject");
        }

        if (y.Errors.Count > errorsBefore || id is null || title is null) return null;
        return new StepDefinition
        {
            Id = id,
            Kind = kind,
            Title = title,
            Assignees = assignees,
            Mode = mode,
            When = when,
            Remind = remind,
            Due = due,
            OnTimeout = onTimeout,
            EscalateTo = escalateTo,
            OnReject = onReject,
        };
    }

    private static List<AssigneeSpec> Assignees(YamlNodes y, YamlNode node, string field, DirectoryReferences references)
    {
        var specs = new List<AssigneeSpec>();
        foreach (var (text, itemNode, itemField) in y.TextList(node, field))
        {
            if (AssigneeSpec.TryParse(text, out var spec, out var error))
            {
                specs.Add(spec);
                references.Named(spec, itemNode, itemField);
            }
            else y.Error(itemNode, itemField, error);
        }
        return specs;
    }

    private static TimeSpan? Duration(YamlNodes y, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> e, string key, string field)
    {
        if (!e.TryGetValue(key, out var entry) || y.Text(entry.Value, field) is not { } text) return null;
        if (Durations.TryParse(text, out var value)) return value;
        y.Error(entry.Value, field, $"'{text}' is not a duration; use a whole number and s, m, h, d or w, e.g. 30m, 4h, 2d");
        return null;
    }

    /// <summary>The lowercase allowed word the value names, or null with an error listing the choices.</summary>
    private static string? OneOf(YamlNodes y, YamlNode node, string field, IReadOnlyList<string> allowed)
    {
        if (y.Text(node, field) is not { } text) return null;
        var match = allowed.FirstOrDefault(a => a.Equals(text, StringComparison.OrdinalIgnoreCase));
        if (match is null) y.Error(node, field, $"'{text}' is not one of {string.Join(", ", allowed)}");
        return match;
    }

    private static bool HasInput(List<InputDefinition> inputs, string id) =>
        inputs.Any(i => i.Id.Equals(id, StringComparison.OrdinalIgnoreCase));

    private static string FieldList(List<InputDefinition> inputs, params string[] extra)
    {
        var names = inputs.Select(i => i.Id).Concat(extra).ToList();
        return names.Count == 0 ? "(no inputs are defined)" : string.Join(", ", names);
    }
}
