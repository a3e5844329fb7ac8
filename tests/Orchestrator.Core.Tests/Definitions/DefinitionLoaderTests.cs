using Orchestrator.Core.Definitions;

namespace Orchestrator.Core.Tests.Definitions;

public sealed class DefinitionLoaderTests
{
    private const string Path = "workflows/demo.yaml";

    private const string Valid = """
        id: demo
        name: Demo request
        inputs:
          - { id: amount, label: Amount (EUR), type: number, required: true }
          - { id: item, type: text, required: true }
          - id: system
            type: choice
            options: [github, aws]
          - { id: until, type: date }
          - { id: buddy, type: person }
        steps:
          - id: manager
            title: "{{item}} for {{ amount }} EUR, asked by {{requester}}"
            assignees: manager
            remind: 4h
            due: 1d
            on_timeout: escalate
            escalate_to: [role:finance-leads, person:Carol@Example.com]
          - id: finance
            kind: approval
            title: Finance check
            when: amount > 1000 and not (system == 'aws')
            assignees: [role:finance, person:dave@example.com]
            mode: quorum:2
            due: 2d
            on_timeout: reject
            on_reject: back-to-requester
          - id: grant
            kind: task
            title: Grant {{system}}
            assignees: role:engineering-leads
            mode: all
          - id: tell
            kind: notify
            title: Done
            assignees: requester
        business_hours: Mon-Fri 09:00-17:00
        webhook: https://hooks.example.com/orchestrator
        """;

    private static DefinitionError SingleError(string yaml)
    {
        var result = DefinitionLoader.Parse(yaml, Path);
        Assert.Empty(result.Definitions);
        Assert.False(result.IsValid);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void A_complete_definition_loads_with_every_field()
    {
        var result = DefinitionLoader.Parse(Valid, Path);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var d = Assert.Single(result.Definitions);
        Assert.Equal("demo", d.Id);
        Assert.Equal("Demo request", d.Name);
        Assert.Equal(Path, d.SourcePath);
        Assert.Equal("https://hooks.example.com/orchestrator", d.Webhook);
        Assert.Equal("Mon-Fri 09:00-17:00", d.BusinessHours!.Source);

        Assert.Equal(["amount", "item", "system", "until", "buddy"], d.Inputs.Select(i => i.Id));
        Assert.Equal("Amount (EUR)", d.Inputs[0].Label);
        Assert.Equal(InputType.Number, d.Inputs[0].Type);
        Assert.True(d.Inputs[0].Required);
        Assert.Equal("item", d.Inputs[1].Label);
        Assert.Equal(InputType.Choice, d.Inputs[2].Type);
        Assert.False(d.Inputs[2].Required);
        Assert.Equal(["github", "aws"], d.Inputs[2].Options);
        Assert.Equal(InputType.Date, d.Inputs[3].Type);
        Assert.Equal(InputType.Person, d.Inputs[4].Type);

        var manager = d.Steps[0];
        Assert.Equal(StepKind.Approval, manager.Kind);
        Assert.Equal([new AssigneeSpec(AssigneeKind.Manager)], manager.Assignees);
        Assert.Equal(DecisionMode.Any, manager.Mode);
        Assert.Equal(TimeSpan.FromHours(4), manager.Remind);
        Assert.Equal(TimeSpan.FromDays(1), manager.Due);
        Assert.Equal(TimeoutAction.Escalate, manager.OnTimeout);
        Assert.Equal([new AssigneeSpec(AssigneeKind.Role, "finance-leads"), new AssigneeSpec(AssigneeKind.Person, "carol@example.com")], manager.EscalateTo);
        Assert.Null(manager.When);
        Assert.Equal(RejectAction.End, manager.OnReject);

        var finance = d.Steps[1];
        Assert.Equal(new DecisionMode(DecisionModeKind.Quorum, 2), finance.Mode);
        Assert.Equal("amount > 1000 and not (system == 'aws')", finance.When!.Source);
        Assert.Equal(TimeoutAction.Reject, finance.OnTimeout);
        Assert.Equal(RejectAction.BackToRequester, finance.OnReject);
        Assert.Equal(2, finance.Assignees.Count);

        Assert.Equal(StepKind.Task, d.Steps[2].Kind);
        Assert.Equal(DecisionMode.All, d.Steps[2].Mode);
        Assert.Equal(StepKind.Notify, d.Steps[3].Kind);
        Assert.Null(d.Steps[3].Due);
    }

    [Fact]
    public void Version_is_the_first_twelve_hex_digits_of_the_sha256_of_the_text()
    {
        var d = DefinitionLoader.Parse(Valid, Path).Definitions[0];
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Valid)))[..12];
        Assert.Equal(expected, d.Version);
        Assert.Matches("^[0-9a-f]{12}$", d.Version);
        Assert.NotEqual(d.Version, DefinitionLoader.Parse(Valid + "\n# changed", Path).Definitions[0].Version);
    }

    [Fact]
    public void The_contracts_own_example_loads_and_a_step_without_a_title_is_named_by_its_id()
    {
        var result = DefinitionLoader.Parse("""
            id: expense
            name: Expense approval
            inputs:
              - { id: amount,  label: Amount (EUR), type: number, required: true }
              - { id: purpose, label: Purpose,      type: text,   required: true }
            steps:
              - id: manager
                kind: approval
                title: "Expense of {{amount}} EUR for {{purpose}}"
                assignees: manager
                mode: any
                remind: 4h
                due: 1d
                on_timeout: escalate
                escalate_to: role:finance-leads
              - id: finance
                kind: approval
                when: amount > 1000
                assignees: role:finance
                mode: quorum:2
                due: 2d
            business_hours: Mon-Fri 09:00-17:00
            """, Path);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("finance", result.Definitions[0].Steps[1].Title);
    }

    [Fact]
    public void A_minimal_definition_gets_the_defaults()
    {
        var result = DefinitionLoader.Parse("""
            id: tiny
            name: Tiny
            steps:
              - { id: only, title: Look, assignees: requester }
            """, Path);
        var d = Assert.Single(result.Definitions);
        Assert.Empty(d.Inputs);
        Assert.Null(d.BusinessHours);
        Assert.Null(d.Webhook);
        var step = Assert.Single(d.Steps);
        Assert.Equal(StepKind.Approval, step.Kind);
        Assert.Equal(DecisionMode.Any, step.Mode);
        Assert.Null(step.OnTimeout);
    }

    public static TheoryData<string, int, string, string> Mistakes => new()
    {
        // Top level.
        { "name: X\nsteps:\n  - { id: a, title: T, assignees: manager }", 1, "id", "is required" },
        { "id: Bad_Id\nname: X\nsteps:\n  - { id: a, title: T, assignees: manager }", 1, "id", "lowercase letters, digits and '-'" },
        { "id: x\nsteps:\n  - { id: a, title: T, assignees: manager }", 1, "name", "is required" },
        { "id: x\nname: \"\"\nsteps:\n  - { id: a, title: T, assignees: manager }", 2, "name", "must not be empty" },
        { "id: x\nname: X\ncolour: blue\nsteps:\n  - { id: a, title: T, assignees: manager }", 3, "colour", "unknown key 'colour'; allowed: id, name, inputs, steps, business_hours, webhook" },
        { "id: x\nname: X\nbusinessHours: Mon-Fri 09:00-17:00\nsteps:\n  - { id: a, title: T, assignees: manager }", 3, "businessHours", "did you mean 'business_hours'" },
        { "id: x\nname: X", 1, "steps", "at least one step" },
        { "id: x\nname: X\nsteps: []", 3, "steps", "at least one step" },
        { "id: x\nname: X\nsteps: manager", 3, "steps", "must be a list" },
        { "id: x\nname: X\nsteps:\n  - { id: a, title: T, assignees: manager }\nbusiness_hours: Mon-Fri 17:00-09:00", 5, "business_hours", "must end after they start" },
        { "id: x\nname: X\nsteps:\n  - { id: a, title: T, assignees: manager }\nwebhook: /relative/path", 5, "webhook", "absolute http:// or https:// URL" },
        { "id: x\nname: X\nsteps:\n  - { id: a, title: T, assignees: manager }\nwebhook: ftp://example.com/x", 5, "webhook", "absolute http:// or https:// URL" },
        { "- just\n- a list", 1, "", "must be a mapping" },
        { "", 1, "", "the file is empty" },

        // Inputs.
        { "id: x\nname: X\ninputs:\n  - { label: Amount, type: number }\nsteps:\n  - { id: a, title: T, assignees: manager }", 4, "inputs[0].id", "is required" },
        { "id: x\nname: X\ninputs:\n  - { id: amount, type: money }\nsteps:\n  - { id: a, title: T, assignees: manager }", 4, "inputs[0].type", "'money' is not one of text, number, date, choice, person" },
        { "id: x\nname: X\ninputs:\n  - { id: amount }\n  - { id: Amount }\nsteps:\n  - { id: a, title: T, assignees: manager }", 5, "inputs[1].id", "used twice" },
        { "id: x\nname: X\ninputs:\n  - { id: system, type: choice }\nsteps:\n  - { id: a, title: T, assignees: manager }", 4, "inputs[0].options", "needs a list of options" },
        { "id: x\nname: X\ninputs:\n  - { id: amount, type: number, options: [1, 2] }\nsteps:\n  - { id: a, title: T, assignees: manager }", 4, "inputs[0].options", "only a choice input" },
        { "id: x\nname: X\ninputs:\n  - id: system\n    type: choice\n    options:\n      - aws\n      - AWS\nsteps:\n  - { id: a, title: T, assignees: manager }", 8, "inputs[0].options[1]", "listed twice" },
        { "id: x\nname: X\ninputs:\n  - { id: amount, required: maybe }\nsteps:\n  - { id: a, title: T, assignees: manager }", 4, "inputs[0].required", "must be true or false" },
        { "id: x\nname: X\ninputs:\n  - { id: amount, size: 3 }\nsteps:\n  - { id: a, title: T, assignees: manager }", 4, "inputs[0].size", "allowed: id, label, type, required, options" },
        { "id: x\nname: X\ninputs:\n  - { id: 1st }\nsteps:\n  - { id: a, title: T, assignees: manager }", 4, "inputs[0].id", "must start with a letter" },
        { "id: x\nname: X\ninputs:\n  - { id: requester }\nsteps:\n  - { id: a, title: T, assignees: manager }", 4, "inputs[0].id", "reserved" },
        { "id: x\nname: X\ninputs:\n  - amount\nsteps:\n  - { id: a, title: T, assignees: manager }", 4, "inputs[0]", "must be a mapping" },
        { "id: x\nname: X\ninputs: amount\nsteps:\n  - { id: a, title: T, assignees: manager }", 3, "inputs", "must be a list" },

        // Steps.
        { "id: x\nname: X\nsteps:\n  - { title: T, assignees: manager }", 4, "steps[0].id", "is required" },
        { "id: x\nname: X\nsteps:\n  - { id: a, title: T, assignees: manager }\n  - { id: a, title: U, assignees: manager }", 5, "steps[1].id", "'a' is used twice" },
        { "id: x\nname: X\nsteps:\n  - { id: a, kind: review, title: T, assignees: manager }", 4, "steps[0].kind", "not one of approval, task, notify" },
        { "id: x\nname: X\nsteps:\n  - { id: a, title: T, assignees: manager }\n  - id: b\n    title: T\n    assignees: boss", 7, "steps[1].assignees", "'boss' is not an assignee" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees:\n      - manager\n      - person:nobody", 8, "steps[0].assignees[1]", "needs an email" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T", 4, "steps[0].assignees", "an approval step needs at least one assignee" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    kind: task\n    title: T\n    assignees: []", 7, "steps[0].assignees", "a task step needs at least one assignee" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    mode: quorum:0", 7, "steps[0].mode", "quorum:N with N at least 1" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    mode: majority", 7, "steps[0].mode", "'majority' is not a mode" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    remind: 4 hours", 7, "steps[0].remind", "'4 hours' is not a duration" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    due: 0d", 7, "steps[0].due", "'0d' is not a duration" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    due: 1d\n    on_timeout: ignore", 8, "steps[0].on_timeout", "not one of escalate, approve, reject, cancel, notify" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    on_timeout: approve", 7, "steps[0].on_timeout", "needs a due time" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    due: 1d\n    on_timeout: escalate", 8, "steps[0].escalate_to", "needs escalate_to" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    due: 1d\n    on_timeout: escalate\n    escalate_to: [manager, the-boss]", 9, "steps[0].escalate_to[1]", "'the-boss' is not an assignee" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    escalate_to: role:x", 7, "steps[0].escalate_to", "only used with on_timeout: escalate" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    on_reject: retry", 7, "steps[0].on_reject", "not one of end, back-to-requester" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    kind: task\n    title: T\n    assignees: manager\n    on_reject: back-to-requester", 8, "steps[0].on_reject", "only an approval step can be rejected; a task step takes no on_reject" },
        { "id: x\nname: X\ninputs:\n  - { id: amount, type: number }\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    when: amount >", 9, "steps[0].when", "ends too early" },
        { "id: x\nname: X\ninputs:\n  - { id: amount, type: number }\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    when: total > 1000", 9, "steps[0].when", "'total' is not an input; use one of amount" },
        { "id: x\nname: X\ninputs:\n  - { id: amount, type: number }\nsteps:\n  - id: a\n    title: \"Pay {{amout}}\"\n    assignees: manager", 7, "steps[0].title", "'{{amout}}' is not an input; use one of amount, requester" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: T\n    assignees: manager\n    approvers: [bob]", 7, "steps[0].approvers", "unknown key 'approvers'; allowed: id, kind, title, assignees, mode, when, remind, due, on_timeout, escalate_to, on_reject" },
        { "id: x\nname: X\nsteps:\n  - id: a\n    title: [T]\n    assignees: manager", 5, "steps[0].title", "must be a single value" },
        { "id: x\nname: X\nsteps:\n  - just-a-name", 4, "steps[0]", "must be a mapping" },
        { "id: x\nname: X\nsteps:\n  - { id: a b, title: T, assignees: manager }", 4, "steps[0].id", "may only contain" },

        // Malformed YAML is one error at the parser's line.
        { "id: x\nname: X\nsteps:\n  - { id: a, title: T, assignees: manager\n", 4, "", "not valid YAML: this '{' is never closed" },
        { "id: x\nname: X\nsteps:\n  - id: a\n     title: T\n", 5, "", "not valid YAML" },
        { "id: x\nname: 'unterminated\nsteps: []\n", 2, "", "not valid YAML" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Each_mistake_is_reported_with_its_line_and_field(string yaml, int line, string field, string message)
    {
        var error = SingleError(yaml);
        Assert.Equal(Path, error.Path);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
        Assert.Equal(line, error.Line);
    }

    [Fact]
    public void Unknown_assignee_is_reported_with_its_line()
    {
        var yaml = Valid.Replace("assignees: role:engineering-leads", "assignees: rol:engineering-leads");
        var error = SingleError(yaml);
        Assert.Equal(new DefinitionError(Path, 31, "steps[2].assignees", error.Message), error);
        Assert.Equal($"{Path}:31: steps[2].assignees: {error.Message}", error.ToString());
    }

    [Fact]
    public void Every_mistake_in_a_file_is_reported_not_just_the_first()
    {
        var result = DefinitionLoader.Parse("""
            id: Bad
            name: X
            inputs:
              - { id: amount, type: money }
            steps:
              - id: a
                title: "{{nope}}"
                assignees: boss
                due: soon
            webhook: nowhere
            """, Path);
        Assert.Empty(result.Definitions);
        Assert.Equal(
            ["1 id", "4 inputs[0].type", "7 steps[0].title", "8 steps[0].assignees", "9 steps[0].due", "10 webhook"],
            result.Errors.Select(e => $"{e.Line} {e.Field}"));
    }

    [Fact]
    public void A_duplicate_yaml_key_is_reported_with_its_line()
    {
        var result = DefinitionLoader.Parse("id: x\nname: X\nname: Y\nsteps:\n  - { id: a, title: T, assignees: manager }", Path);
        Assert.Empty(result.Definitions);
        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void The_when_condition_may_use_inputs_in_any_case()
    {
        var result = DefinitionLoader.Parse("id: x\nname: X\ninputs:\n  - { id: amount, type: number }\nsteps:\n  - { id: a, title: \"{{AMOUNT}}\", assignees: manager, when: Amount > 3 }", Path);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void A_notify_step_needs_no_assignee()
    {
        var result = DefinitionLoader.Parse("id: x\nname: X\nsteps:\n  - { id: a, kind: notify, title: T }", Path);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    private static string TempFolder()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orchestrator-defs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string Workflow(string id) => $"id: {id}\nname: {id}\nsteps:\n  - {{ id: a, title: T, assignees: manager }}\n";

    [Fact]
    public void A_bad_file_does_not_stop_the_others_from_loading()
    {
        var folder = TempFolder();
        try
        {
            File.WriteAllText(System.IO.Path.Combine(folder, "a.yaml"), Workflow("alpha"));
            File.WriteAllText(System.IO.Path.Combine(folder, "b.yaml"), "id: beta\nname: Beta\nsteps:\n  - { id: a, title: T, assignees: boss }\n");
            File.WriteAllText(System.IO.Path.Combine(folder, "c.yml"), Workflow("gamma"));
            File.WriteAllText(System.IO.Path.Combine(folder, "d.yaml"), "id: [broken\n");
            File.WriteAllText(System.IO.Path.Combine(folder, "notes.txt"), "not a workflow");

            var result = DefinitionLoader.LoadFolder(folder);

            Assert.Equal(["alpha", "gamma"], result.Definitions.Select(d => d.Id));
            Assert.Equal(System.IO.Path.Combine(folder, "c.yml"), result.Definitions[1].SourcePath);
            Assert.Equal(
                [(System.IO.Path.Combine(folder, "b.yaml"), 4, "steps[0].assignees"), (System.IO.Path.Combine(folder, "d.yaml"), 1, "")],
                result.Errors.Select(e => (e.Path, e.Line, e.Field)));
            Assert.False(result.IsValid);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void A_duplicate_id_across_files_is_an_error_in_the_second_file()
    {
        var folder = TempFolder();
        try
        {
            File.WriteAllText(System.IO.Path.Combine(folder, "1-first.yaml"), Workflow("same"));
            File.WriteAllText(System.IO.Path.Combine(folder, "2-second.yaml"), "# the copy\n" + Workflow("same"));
            File.WriteAllText(System.IO.Path.Combine(folder, "3-other.yaml"), Workflow("other"));

            var result = DefinitionLoader.LoadFolder(folder);

            Assert.Equal(["same", "other"], result.Definitions.Select(d => d.Id));
            Assert.Equal(System.IO.Path.Combine(folder, "1-first.yaml"), result.Definitions[0].SourcePath);
            var error = Assert.Single(result.Errors);
            Assert.Equal(System.IO.Path.Combine(folder, "2-second.yaml"), error.Path);
            Assert.Equal(2, error.Line);
            Assert.Equal("id", error.Field);
            Assert.Contains("1-first.yaml", error.Message);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void A_missing_folder_or_file_is_one_error()
    {
        var missing = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "no-such-" + Guid.NewGuid().ToString("N"));
        var folder = DefinitionLoader.LoadFolder(missing);
        Assert.Equal(new DefinitionError(missing, 0, "", "the folder does not exist"), Assert.Single(folder.Errors));
        var file = DefinitionLoader.LoadFile(missing + ".yaml");
        Assert.Empty(file.Definitions);
        Assert.Single(file.Errors);
    }

    [Fact]
    public void LoadFile_reads_one_file_with_its_path()
    {
        var folder = TempFolder();
        try
        {
            var path = System.IO.Path.Combine(folder, "x.yaml");
            File.WriteAllText(path, Workflow("solo"));
            var result = DefinitionLoader.LoadFile(path);
            Assert.Equal(path, Assert.Single(result.Definitions).SourcePath);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void An_empty_folder_loads_nothing_without_errors()
    {
        var folder = TempFolder();
        try
        {
            var result = DefinitionLoader.LoadFolder(folder);
            Assert.True(result.IsValid);
            Assert.Empty(result.Definitions);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
