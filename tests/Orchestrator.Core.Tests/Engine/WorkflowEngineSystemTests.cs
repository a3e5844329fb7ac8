using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

public sealed class WorkflowEngineSystemTests
{
    private const string Onboarding = """
        id: onboarding
        name: Onboarding
        steps:
          - id: account
            kind: task
            title: Create the account
            assignees: system:erp
          - id: welcome
            kind: task
            title: Say welcome
            assignees: manager
        """;

    [Fact]
    public void A_system_task_sends_no_card_to_the_system()
    {
        var world = new TestWorld(Onboarding);

        var instance = world.Start("onboarding", Alice);

        Assert.Equal(["system:erp"], instance.CurrentOwners());
        Assert.DoesNotContain(world.Store.Effects, e => e.Recipient.StartsWith("system:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_assigned_system_completes_its_task_and_the_work_moves_on()
    {
        var world = new TestWorld(Onboarding);
        world.Start("onboarding", Alice);

        var result = world.Engine.CompleteSystemTask("onboarding-1", "account", "ERP", "account u123 created", "api");

        Assert.Equal(DecideOutcome.Recorded, result.Outcome);
        var stored = world.Stored("onboarding-1");
        Assert.Equal(StepState.Done, stored.Steps[0].State);
        Assert.Equal("welcome", stored.Current!.StepId);
        Assert.Equal([Bob], stored.CurrentOwners());
        var decided = stored.History.Single(e => e.Kind == EventKind.Decided);
        Assert.Equal("system:erp", decided.Actor);
        Assert.Equal("api", decided.Via);
        Assert.Contains("account u123 created", decided.Text);
    }

    [Fact]
    public void Another_system_cannot_complete_the_task_and_nothing_changes()
    {
        var world = new TestWorld(Onboarding);
        world.Start("onboarding", Alice);

        var result = world.Engine.CompleteSystemTask("onboarding-1", "account", "crm", null, "api");

        Assert.Equal(DecideOutcome.NotAssignee, result.Outcome);
        Assert.Contains("not assigned to system:crm", result.Message);
        Assert.Contains("system:erp", result.Message);
        Assert.Equal(1, world.Stored("onboarding-1").Revision);
    }

    [Fact]
    public void A_system_cannot_complete_a_step_held_by_a_person_or_one_that_is_not_open()
    {
        var world = new TestWorld(Onboarding);
        world.Start("onboarding", Alice);

        Assert.Equal(DecideOutcome.Closed, world.Engine.CompleteSystemTask("onboarding-1", "welcome", "erp", null, "api").Outcome);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.CompleteSystemTask("onboarding-1", "nope", "erp", null, "api").Outcome);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.CompleteSystemTask("onboarding-9", "account", "erp", null, "api").Outcome);
        world.Engine.CompleteSystemTask("onboarding-1", "account", "erp", null, "api");
        Assert.Equal(DecideOutcome.NotAssignee, world.Engine.CompleteSystemTask("onboarding-1", "welcome", "erp", null, "api").Outcome);
        Assert.Equal(DecideOutcome.Closed, world.Engine.CompleteSystemTask("onboarding-1", "account", "erp", null, "api").Outcome);
    }

    [Fact]
    public void A_comment_is_added_to_the_history_with_its_author()
    {
        var world = new TestWorld(Onboarding);
        world.Start("onboarding", Alice);

        var result = world.Engine.Comment("onboarding-1", "Alice@Example.com", " Laptop ordered ", "api");

        Assert.Equal(DecideOutcome.Recorded, result.Outcome);
        var last = world.Stored("onboarding-1").History[^1];
        Assert.Equal(EventKind.Commented, last.Kind);
        Assert.Equal(Alice, last.Actor);
        Assert.Equal("Alice Adams commented: Laptop ordered", last.Text);
        Assert.Equal(DecideOutcome.NotFound, world.Engine.Comment("nope-1", "x", "y", "api").Outcome);
    }

    [Fact]
    public void The_external_reference_is_kept_with_the_instance()
    {
        var world = new TestWorld(Onboarding);

        var result = world.Engine.Start("onboarding", new Dictionary<string, string>(), Alice, "api", " JIRA-12 ");

        Assert.Equal("JIRA-12", world.Stored(result.Instance!.Id).ExternalRef);
    }
}
