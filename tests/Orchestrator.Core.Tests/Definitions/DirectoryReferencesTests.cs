using Orchestrator.Core.Definitions;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Tests.Definitions;

/// <summary>The people a definition names, checked against the directory: unknown ones are errors, run-time ones warnings.</summary>
public sealed class DirectoryReferencesTests
{
    private const string Path = "workflows/demo.yaml";

    private static readonly PeopleDirectory People = DirectoryLoader.Parse("""
        people:
          - { email: alice@example.com, manager: bob@example.com, roles: [engineering] }
          - { email: bob@example.com, roles: [finance-leads, admin] }
          - { email: dave@example.com, manager: bob@example.com, roles: [finance] }
        """, "directory.yaml").Directory;

    private static string Workflow(string step) => $"""
        id: demo
        name: Demo
        steps:
        {step}
        """;

    public static TheoryData<string, int, string, string> Unknown => new()
    {
        { "  - { id: a, assignees: role:finance-lead }", 4, "steps[0].assignees", "nobody in the directory has the role 'finance-lead' (did you mean 'role:finance-leads'?)" },
        { "  - id: a\n    assignees: manager\n    due: 1d\n    on_timeout: escalate\n    escalate_to: role:finance-lead", 8, "steps[0].escalate_to", "nobody in the directory has the role 'finance-lead'" },
        { "  - { id: a, assignees: [role:finance, person:erin@example.com] }", 4, "steps[0].assignees[1]", "erin@example.com is not in the directory" },
        { "  - { id: a, assignees: person:dave@exmaple.com }", 4, "steps[0].assignees", "(did you mean 'person:dave@example.com'?)" },
        { "  - { id: a, assignees: role:finance, mode: 'quorum:2' }", 4, "steps[0].mode", "quorum:2 needs 2 people, but role:finance is 1 person in the directory" },
    };

    [Theory]
    [MemberData(nameof(Unknown))]
    public void A_role_or_person_the_directory_does_not_have_is_an_error_with_its_line(string step, int line, string field, string message)
    {
        var result = DefinitionLoader.Parse(Workflow(step), Path, People);

        var error = Assert.Single(result.Errors);
        Assert.Equal((line, field), (error.Line, error.Field));
        Assert.Contains(message, error.Message);
        // The definition itself is sound: it stays usable while the directory is put right.
        Assert.Single(result.Definitions);
    }

    [Fact]
    public void Without_a_directory_the_same_file_is_valid()
    {
        var result = DefinitionLoader.Parse(Workflow("  - { id: a, assignees: role:finance-lead }"), Path);

        Assert.True(result.IsValid);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void A_manager_step_is_a_warning_when_someone_has_no_manager()
    {
        var result = DefinitionLoader.Parse(Workflow("  - { id: a, assignees: manager }\n  - { id: b, assignees: [manager, role:finance] }"), Path, People);

        Assert.True(result.IsValid);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((4, "steps[0].assignees"), (warning.Line, warning.Field));
        Assert.Contains("bob@example.com has none in the directory", warning.Message);
    }

    [Fact]
    public void Known_roles_people_and_systems_pass_without_a_word()
    {
        var everyone = new PeopleDirectory(People.People.Select(p => p.Manager is null ? p with { Manager = "alice@example.com" } : p));
        var result = DefinitionLoader.Parse(Workflow(
            "  - { id: a, assignees: [manager, role:FINANCE, person:Dave@Example.com], mode: 'quorum:2' }\n  - { id: b, kind: task, assignees: system:hr }"),
            Path, everyone);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
    }
}
