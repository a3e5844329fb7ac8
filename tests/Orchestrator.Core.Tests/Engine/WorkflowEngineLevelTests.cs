using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

public sealed class WorkflowEngineLevelTests
{
    /// <summary>Manager, then finance above 1000, then a board of two above 5000.</summary>
    private const string Levels = """
        id: levels
        name: Levels
        inputs:
          - { id: amount, label: Amount, type: number, required: true }
        steps:
          - id: manager
            title: Level 1
            assignees: manager
          - id: finance
            title: Level 2
            when: amount > 1000
            assignees: role:finance
            mode: any
          - id: board
            title: Level 3
            when: amount > 5000 and amount <= 100000
            assignees: [role:finance, person:frank@example.com]
            mode: quorum:2
        """;

    [Theory]
    [InlineData("500", new[] { "manager" }, new[] { StepState.Approved, StepState.Skipped, StepState.Skipped })]
    [InlineData("2000", new[] { "manager", "finance" }, new[] { StepState.Approved, StepState.Approved, StepState.Skipped })]
    [InlineData("6000", new[] { "manager", "finance", "board" }, new[] { StepState.Approved, StepState.Approved, StepState.Approved })]
    public void Sequential_levels_run_in_order_and_each_when_decides_whether_its_level_runs(string amount, string[] asked, StepState[] states)
    {
        var world = new TestWorld(Levels);
        var id = world.Start("levels", Alice, ("amount", amount)).Id;

        world.Approve(id, Bob);
        if (asked.Contains("finance")) world.Approve(id, Carol);
        if (asked.Contains("board"))
        {
            world.Approve(id, Dave);
            world.Approve(id, Frank);
        }

        var stored = world.Stored(id);
        Assert.Equal(InstanceState.Completed, stored.State);
        Assert.Equal(states, stored.Steps.Select(s => s.State));
        Assert.Equal(asked, world.Store.Effects.OfType<Core.Engine.AskDecision>().Select(a => a.Card.StepId).Distinct());
    }
}
