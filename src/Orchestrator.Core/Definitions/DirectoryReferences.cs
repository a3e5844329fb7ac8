using Orchestrator.Core.Commands;
using Orchestrator.Core.People;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.Definitions;

/// <summary>
/// The people a definition names (<c>role:</c>, <c>person:</c>, <c>manager</c> in assignees and escalate_to), checked against
/// a directory. What the directory settles is an error (nobody holds the role, the person is not listed, a quorum larger than
/// everyone who could answer); what only a request can settle (whether its requester has a manager) is a warning.
/// </summary>
internal sealed class DirectoryReferences(string path)
{
    private readonly List<(AssigneeSpec Spec, YamlNode Node, string Field)> _names = [];
    private readonly List<(DecisionMode Mode, YamlNode Node, string Field, List<AssigneeSpec> Assignees)> _quorums = [];

    public void Named(AssigneeSpec spec, YamlNode node, string field) => _names.Add((spec, node, field));

    public void Quorum(DecisionMode mode, YamlNode node, string field, List<AssigneeSpec> assignees)
    {
        if (mode.Kind == DecisionModeKind.Quorum) _quorums.Add((mode, node, field, assignees));
    }

    public (List<DefinitionError> Errors, List<DefinitionError> Warnings) Check(PeopleDirectory people)
    {
        var errors = new List<DefinitionError>();
        var warnings = new List<DefinitionError>();
        var roles = people.People.SelectMany(p => p.Roles).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var (spec, node, field) in _names)
        {
            switch (spec.Kind)
            {
                case AssigneeKind.Role when people.WithRole(spec.Value!).Count == 0:
                    var role = CommandParser.Suggest(spec.Value!, roles) is { } near ? $" (did you mean 'role:{near}'?)" : "";
                    errors.Add(new(path, YamlNodes.Line(node), field,
                        $"nobody in the directory has the role '{spec.Value}'{role}; roles there: {List(roles)}"));
                    break;
                case AssigneeKind.Person when people.Find(spec.Value!) is null:
                    var person = CommandParser.Suggest(spec.Value!, people.People.Select(p => p.Email)) is { } close ? $" (did you mean 'person:{close}'?)" : "";
                    errors.Add(new(path, YamlNodes.Line(node), field, $"{spec.Value} is not in the directory{person}"));
                    break;
            }
        }

        var withoutManager = people.People.Where(p => p.Manager is null).Select(p => p.Email).Order(StringComparer.Ordinal).ToList();
        if (withoutManager.Count > 0 && _names.FirstOrDefault(n => n.Spec.Kind == AssigneeKind.Manager && !n.Field.Contains("escalate_to", StringComparison.Ordinal)) is { Node: not null } first)
        {
            warnings.Add(new(path, YamlNodes.Line(first.Node), first.Field,
                $"'manager' is known only when a request starts: {List(withoutManager)} {(withoutManager.Count == 1 ? "has" : "have")} none in the directory, and a request of theirs waits on an admin here"));
        }

        foreach (var (mode, node, field, assignees) in _quorums)
        {
            // Only roles and named people can be counted before a request starts.
            if (assignees.Count == 0 || assignees.Any(a => a.Kind is not (AssigneeKind.Role or AssigneeKind.Person))) continue;
            var count = assignees.SelectMany(a => a.Kind == AssigneeKind.Role ? people.WithRole(a.Value!).Select(p => p.Email) : [a.Value!])
                .Distinct(StringComparer.OrdinalIgnoreCase).Count();
            if (count > 0 && count < mode.Quorum)
                errors.Add(new(path, YamlNodes.Line(node), field,
                    $"{mode} needs {mode.Quorum} people, but {string.Join(", ", assignees)} {(count == 1 ? "is 1 person" : $"are {count} people")} in the directory"));
        }
        return (errors, warnings);
    }

    private static string List(IReadOnlyList<string> items) =>
        items.Count == 0 ? "(none)" : items.Count <= 5 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(5))} and {items.Count - 5} more";
}
