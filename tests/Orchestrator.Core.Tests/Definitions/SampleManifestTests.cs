using Orchestrator.Core.Definitions;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Tests.Definitions;

public sealed class SampleManifestTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void The_sample_workflows_are_valid()
    {
        var result = DefinitionLoader.LoadFolder(Path.Combine(RepoRoot(), "manifests", "workflows"));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["access", "expense", "onboarding", "purchase"], result.Definitions.Select(d => d.Id));
    }

    [Fact]
    public void The_sample_workflows_name_only_roles_and_people_of_the_sample_directory()
    {
        var people = DirectoryLoader.Load(Path.Combine(RepoRoot(), "manifests", "directory.yaml")).Directory;

        var result = DefinitionLoader.LoadFolder(Path.Combine(RepoRoot(), "manifests", "workflows"), people);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void The_onboarding_sample_starts_with_a_step_the_hr_system_completes()
    {
        var onboarding = DefinitionLoader.LoadFile(Path.Combine(RepoRoot(), "manifests", "workflows", "onboarding.yaml")).Definitions.Single();

        Assert.Equal(["account", "welcome", "ready"], onboarding.Steps.Select(s => s.Id));
        Assert.Equal([new AssigneeSpec(AssigneeKind.System, "hr")], onboarding.Steps[0].Assignees);
        Assert.Equal(StepKind.Task, onboarding.Steps[0].Kind);
        Assert.Equal([true, true], onboarding.Inputs.Select(i => i.Required));
    }

    [Fact]
    public void The_sample_directory_is_valid()
    {
        var result = DirectoryLoader.Load(Path.Combine(RepoRoot(), "manifests", "directory.yaml"));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(6, result.Directory.People.Count);
        Assert.Equal("bob@example.com", result.Directory.ManagerOf("alice@example.com")!.Email);
        Assert.Equal(["dave@example.com", "erin@example.com"], result.Directory.WithRole("finance").Select(p => p.Email));
        Assert.True(result.Directory.IsAdmin("carol@example.com"));
    }

    [Fact]
    public void The_purchase_sample_has_the_documented_shape()
    {
        var purchase = DefinitionLoader.LoadFile(Path.Combine(RepoRoot(), "manifests", "workflows", "purchase.yaml")).Definitions.Single();

        Assert.Equal("Purchase request", purchase.Name);
        Assert.Equal(["amount", "item", "vendor"], purchase.Inputs.Select(i => i.Id));
        Assert.Equal([true, true, false], purchase.Inputs.Select(i => i.Required));
        Assert.Equal("Amount (EUR)", purchase.Inputs[0].Label);
        Assert.Equal(["manager", "finance", "order"], purchase.Steps.Select(s => s.Id));
        Assert.Equal(StepKind.Notify, purchase.Steps[2].Kind);
        Assert.Equal("Order {{item}}", purchase.Steps[2].Title);
        Assert.Equal(DecisionMode.All, purchase.Steps[1].Mode);
        Assert.Equal("amount > 1000", purchase.Steps[1].When!.Source);
        Assert.Equal("Mon-Fri 09:00-17:00", purchase.BusinessHours!.Source);
        var inputs = new Dictionary<string, string> { ["item"] = "Laptop", ["amount"] = "1500" };
        Assert.Equal("Purchase of Laptop for 1500 EUR", Template.Render(purchase.Steps[0].Title, inputs));
    }

    [Fact]
    public void The_access_sample_has_the_documented_shape()
    {
        var access = DefinitionLoader.LoadFile(Path.Combine(RepoRoot(), "manifests", "workflows", "access.yaml")).Definitions.Single();

        Assert.Equal(["github", "aws", "salesforce"], access.FindInput("system")!.Options);
        Assert.Equal(InputType.Date, access.FindInput("until")!.Type);
        Assert.Equal(StepKind.Task, access.Steps[1].Kind);
        Assert.Equal([new AssigneeSpec(AssigneeKind.Role, "engineering-leads")], access.Steps[1].Assignees);
        Assert.Equal(TimeSpan.FromDays(1), access.Steps[1].Due);
    }

    [Fact]
    public void The_expense_sample_follows_the_product_example()
    {
        var expense = DefinitionLoader.LoadFile(Path.Combine(RepoRoot(), "manifests", "workflows", "expense.yaml")).Definitions.Single();

        Assert.Equal("Expense approval", expense.Name);
        Assert.Equal(new DecisionMode(DecisionModeKind.Quorum, 2), expense.Steps[1].Mode);
        Assert.Equal([new AssigneeSpec(AssigneeKind.Role, "finance-leads")], expense.Steps[0].EscalateTo);
        Assert.Equal(RejectAction.BackToRequester, expense.Steps[0].OnReject);
        Assert.Equal(RejectAction.End, expense.Steps[1].OnReject);
    }
}
