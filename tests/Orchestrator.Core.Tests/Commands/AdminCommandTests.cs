using Orchestrator.Core.Instances;
using Orchestrator.Core.Tests.Engine;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Commands;

public sealed class AdminCommandTests
{
    [Fact]
    public void Delegate_with_a_mailto_link_as_Slack_sends_it_is_read_as_the_email()
    {
        var world = new TestWorld(Workflows.Purchase);

        var reply = world.Commands.Execute("delegate <mailto:frank@example.com|frank@example.com> until 2026-03-06", Bob, "slack");

        Assert.False(reply.IsError, reply.Text);
        Assert.Equal("Until the end of Fri 6 Mar 2026 (UTC), your new assignments go to Frank Fox, on your behalf.", reply.Text);
        Assert.Equal(Frank, Assert.Single(world.Delegations.All()).To);
    }

    [Theory]
    [InlineData("delegate frank@example.com until 2026-3-6", "'2026-3-6' is not a date")]
    [InlineData("delegate frank@example.com until 2026-03-01", "2026-03-01 is in the past")]
    [InlineData("delegate bob@example.com", "You can't delegate to yourself.")]
    [InlineData("delegate <@U404>", "I don't know <@U404>.")]
    [InlineData("delegate off", "You have no delegation running")]
    public void Bad_delegate_commands_answer_privately_and_change_nothing(string text, string says)
    {
        var world = new TestWorld(Workflows.Purchase);

        var reply = world.Commands.Execute(text, Bob, "teams");

        Assert.True(reply.IsError);
        Assert.Contains(says, reply.Text);
        Assert.Empty(world.Delegations.All());
    }

    [Fact]
    public void Admin_stuck_lists_each_item_with_the_command_that_fixes_it()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Start("purchase", Frank, ("amount", "50"), ("item", "Desk"));

        var reply = world.Commands.Execute("admin stuck", Erin, "slack", "/orchestrate ");

        Assert.Equal(
            """
            Waiting on an admin (1):
            • purchase-1 at manager — nobody to assign: manager resolves to no one (since Mon 2 Mar 09:00 Europe/Berlin)
                fix: /orchestrate admin reassign purchase-1 manager <person>
            """,
            reply.Text);
    }

    [Fact]
    public void Admin_stuck_with_nothing_stuck_says_so()
    {
        var reply = new TestWorld(Workflows.Purchase).Commands.Execute("admin stuck", Erin, "slack");

        Assert.Equal("Nothing waits on an admin. 🎉", reply.Text);
    }

    [Fact]
    public void Admin_reassign_through_the_command_clears_the_queue()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Start("purchase", Frank, ("amount", "50"), ("item", "Desk"));

        var reply = world.Commands.Execute("admin reassign purchase-1 manager bob@example.com", Erin, "slack");

        Assert.False(reply.IsError, reply.Text);
        Assert.Equal("Nothing waits on an admin. 🎉", world.Commands.Execute("admin stuck", Erin, "slack").Text);
        Assert.Equal([Bob], world.Stored("purchase-1").CurrentOwners());
    }

    [Fact]
    public void Admin_reload_reloads_and_names_what_is_loaded()
    {
        var world = new TestWorld(Workflows.Purchase, Workflows.Budget);

        var reply = world.Commands.Execute("admin reload", Erin, "teams");

        Assert.Equal(1, world.Reloads.Count);
        Assert.False(reply.IsError);
        Assert.Matches(@"^Reloaded 2 workflow\(s\): budget@\w+, purchase@\w+; 8 people in the directory\.$", reply.Text);
    }

    [Fact]
    public void Status_shows_who_holds_a_step_on_whose_behalf_through_the_history()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Commands.Execute("delegate frank@example.com", Bob, "slack");
        world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));

        var status = world.Commands.Execute("status purchase-1", Alice, "slack").Text;

        Assert.Contains("held by Frank Fox", status);
        Assert.Equal(InstanceState.Open, world.Stored("purchase-1").State);
    }
}
