using Orchestrator.Core.Commands;
using Orchestrator.Core.Instances;
using Orchestrator.Core.Tests.Engine;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Commands;

public sealed class CommandServiceTests
{
    private static TestWorld World() => new(Workflows.Purchase, Workflows.Access, Workflows.Budget);

    [Theory]
    [InlineData("help", "")]
    [InlineData("", "/orchestrate ")]
    [InlineData(null, "")]
    public void Help_lists_every_command_with_the_platforms_prefix(string? text, string prefix)
    {
        var reply = World().Commands.Execute(text, Alice, "slack", prefix);

        Assert.False(reply.IsError);
        Assert.Equal(CommandService.Usage(prefix), reply.Text);
        foreach (var verb in new[] { "help", "workflows", "start <workflow>", "status [<id>]", "mine", "requests", "cancel <id> [reason]",
                     "delegate <person> [until YYYY-MM-DD]", "delegate off", "admin stuck", "admin reassign <id> <step> <person>", "admin reload" })
            Assert.Contains($"• {prefix}{verb}", reply.Text);
    }

    [Fact]
    public void Workflows_lists_each_definition_with_its_inputs()
    {
        var reply = World().Commands.Execute("workflows", Alice, "teams");

        Assert.False(reply.IsError);
        Assert.Equal(
            """
            Workflows you can start:
            • access — Access request
                inputs: system (one of github|aws, required)
            • budget — Budget change
            • purchase — Purchase request
                inputs: amount (number, required), item (text, required), note (text)
            Start one with start <workflow> [field=value …], e.g. start purchase amount=1500 item="Standing desk"
            """,
            reply.Text);
    }

    [Fact]
    public void Workflows_says_so_when_none_are_loaded()
    {
        var reply = new TestWorld().Commands.Execute("workflows", Alice, "slack");

        Assert.Equal("No workflows are loaded. An admin adds YAML files to the workflows folder.", reply.Text);
    }

    [Fact]
    public void Start_starts_the_workflow_and_says_who_holds_it()
    {
        var world = World();

        var reply = world.Commands.Execute("start purchase amount=1500 item=“Standing desk”", Alice, "slack");

        Assert.False(reply.IsError);
        Assert.Equal("Started purchase-1 (Purchase request): waiting on Bob Brown (manager). Follow it with status purchase-1.", reply.Text);
        Assert.Equal("purchase-1", reply.Started!.Id);
        var stored = world.Stored("purchase-1");
        Assert.Equal("Standing desk", stored.Inputs["item"]);
        Assert.Equal("slack", stored.StartedVia);
    }

    [Fact]
    public void Start_of_a_request_nobody_can_take_says_it_waits_on_an_admin()
    {
        var reply = World().Commands.Execute("start purchase amount=5 item=Pen", Frank, "teams");

        Assert.Equal("Started purchase-1 (Purchase request): waiting on an admin: nobody to assign: manager resolves to no one. Follow it with status purchase-1.", reply.Text);
    }

    [Theory]
    [InlineData("start purchse", "purchse", "purchase, access, budget")]
    [InlineData("start acess system=aws", "acess", "access, budget, purchase")]
    [InlineData("start bud", "bud", "budget, access, purchase")]
    public void Start_of_an_unknown_workflow_lists_the_valid_ones_closest_first_and_starts_nothing(string text, string asked, string list)
    {
        var world = World();

        var reply = world.Commands.Execute(text, Alice, "slack", "/orchestrate ");

        Assert.True(reply.IsError);
        Assert.Equal($"There is no workflow '{asked}'. Valid workflows: {list}.\nUsage: /orchestrate {CommandParser.StartUsage}", reply.Text);
        Assert.Equal(0, world.Store.Writes);
    }

    [Theory]
    [InlineData("start purchase amount=abc item=Desk", "amount must be a number, got 'abc'")]
    [InlineData("start purchase amount=5 item=Desk colour=red", "unknown input 'colour'; valid inputs: amount, item, note")]
    [InlineData("start access system=gitlab", "system must be one of github, aws, got 'gitlab'")]
    public void Start_with_a_bad_field_names_it_shows_usage_and_starts_nothing(string text, string error)
    {
        var world = World();

        var reply = world.Commands.Execute(text, Alice, "slack");

        Assert.True(reply.IsError);
        Assert.Null(reply.Started);
        var lines = reply.Text.Split('\n');
        Assert.Equal(error, lines[0]);
        Assert.StartsWith("Nothing was started. Usage: start ", lines[^1]);
        Assert.Equal(0, world.Store.Writes);
        Assert.Empty(world.Store.Effects);
    }

    [Fact]
    public void Usage_after_a_bad_field_shows_required_and_optional_inputs()
    {
        var reply = World().Commands.Execute("start purchase amount=abc", Alice, "slack");

        Assert.Equal("amount must be a number, got 'abc'\nNothing was started. Usage: start purchase amount=… item=… [note=…]", reply.Text);
    }

    [Fact]
    public void Start_with_missing_fields_asks_for_a_form_and_starts_nothing()
    {
        var world = World();

        var reply = world.Commands.Execute("start purchase amount=12.50", Alice, "teams");

        Assert.False(reply.IsError);
        Assert.Equal("Purchase request needs item.", reply.Text);
        var form = reply.Form!;
        Assert.Equal("purchase", form.Definition.Id);
        Assert.Equal("12.5", form.Values["amount"]);
        Assert.Equal(["item"], form.Missing.Select(m => m.Id));
        Assert.Equal(0, world.Store.Writes);
    }

    [Fact]
    public void A_submitted_form_starts_the_workflow()
    {
        var world = World();

        var reply = world.Commands.StartWith("purchase", new Dictionary<string, string> { ["amount"] = "12.5", ["item"] = "Lamp" }, Alice, "teams");

        Assert.Equal("purchase-1", reply.Started!.Id);
        Assert.Equal("teams", world.Stored("purchase-1").StartedVia);
    }

    [Fact]
    public void A_form_for_a_workflow_that_was_removed_meanwhile_says_so()
    {
        var world = World();

        var reply = world.Commands.StartWith("gone", new Dictionary<string, string>(), Alice, "teams");

        Assert.True(reply.IsError);
        Assert.Equal("There is no workflow 'gone'.", reply.Text);
    }

    [Fact]
    public void An_unknown_command_suggests_a_near_one_and_shows_usage()
    {
        var reply = World().Commands.Execute("strat purchase", Alice, "slack", "/orchestrate ");

        Assert.True(reply.IsError);
        Assert.Equal("I don't know the command 'strat'. Did you mean 'start'?\nUsage: /orchestrate help\n\n" + CommandService.Usage("/orchestrate "), reply.Text);
    }

    [Fact]
    public void A_malformed_cancel_shows_its_own_usage()
    {
        var reply = World().Commands.Execute("cancel", Alice, "slack");

        Assert.True(reply.IsError);
        Assert.Equal("cancel needs the id of a request.\nUsage: cancel <id> [reason], e.g. cancel purchase-3 ordered elsewhere", reply.Text);
    }

    private static TestWorld WithDecidedPurchase()
    {
        var world = World();
        world.Start("purchase", Alice, ("amount", "1500"), ("item", "Desk"));
        world.Time.Advance(TimeSpan.FromHours(1));
        world.Approve("purchase-1", Bob, "ok for Q1");
        return world;
    }

    [Theory]
    [InlineData(Alice)]
    [InlineData(Bob)]
    [InlineData(Carol)]
    public void Status_shows_each_step_who_holds_it_since_when_and_the_decisions(string actor)
    {
        var world = WithDecidedPurchase();

        var reply = world.Commands.Execute("status purchase-1", actor, "slack");

        Assert.False(reply.IsError);
        Assert.Equal(
            """
            purchase-1 — Purchase request — open
            Requested by Alice Adams Mon 2 Mar 08:00 UTC
            Amount (EUR): 1500 · Item: Desk
            1. manager — approved (approved by Bob Brown)
                • Bob Brown approved Mon 2 Mar 09:00 UTC: “ok for Q1” (via slack)
            2. finance — held by Carol Clark, Dave Doe since Mon 2 Mar 09:00 UTC
                • Carol Clark: waiting since Mon 2 Mar 09:00 UTC
                • Dave Doe: waiting since Mon 2 Mar 09:00 UTC
            3. tell-it — not reached yet
            Timeline:
                Mon 2 Mar 08:00 UTC · Started by Alice Adams (via slack)
                Mon 2 Mar 08:00 UTC · Step manager assigned to Bob Brown
                Mon 2 Mar 09:00 UTC · Bob Brown approved: ok for Q1 (via slack)
                Mon 2 Mar 09:00 UTC · Step manager approved by Bob Brown
                Mon 2 Mar 09:00 UTC · Step finance assigned to Carol Clark, Dave Doe
            """,
            reply.Text);
    }

    [Fact]
    public void Status_for_an_admin_is_in_the_admins_time_zone()
    {
        var world = WithDecidedPurchase();

        var reply = world.Commands.Execute("status PURCHASE-1", Erin, "teams");

        Assert.False(reply.IsError);
        Assert.Contains("Requested by Alice Adams Mon 2 Mar 09:00 Europe/Berlin", reply.Text);
        Assert.Contains("2. finance — held by Carol Clark, Dave Doe since Mon 2 Mar 10:00 Europe/Berlin", reply.Text);
    }

    [Fact]
    public void Status_shows_due_times_skips_and_closed_cards()
    {
        var world = World();
        world.Start("purchase", Alice, ("amount", "10"), ("item", "Pen"));
        var waiting = world.Commands.Execute("status purchase-1", Alice, "slack").Text;
        Assert.Contains("1. manager — held by Bob Brown since Mon 2 Mar 08:00 UTC, due Tue 3 Mar 08:00 UTC", waiting);

        world.Start("access", Alice, ("system", "aws"));
        world.Reject("access-1", Dave, "why?");
        world.Approve("purchase-1", Bob);

        var done = world.Commands.Execute("status purchase-1", Alice, "slack").Text;
        Assert.StartsWith("purchase-1 — Purchase request — completed", done);
        Assert.Contains("2. finance — skipped (skipped: amount > 1000 is false)", done);
        Assert.Contains("3. tell-it — notified", done);
        var rejected = world.Commands.Execute("status access-1", Alice, "slack").Text;
        Assert.Contains("    • Carol Clark: closed (Rejected: rejected by Dave Doe: why?)", rejected);
        Assert.Contains("    • Dave Doe rejected Mon 2 Mar 08:00 UTC: “why?” (via teams)", rejected);
    }

    [Fact]
    public void Status_is_refused_to_someone_not_involved()
    {
        var world = WithDecidedPurchase();

        var reply = world.Commands.Execute("status purchase-1", Mallory, "slack");

        Assert.True(reply.IsError);
        Assert.Equal("You are not part of purchase-1.", reply.Text);
    }

    [Fact]
    public void Status_without_an_id_shows_my_latest_request()
    {
        var world = World();
        world.Start("purchase", Alice, ("amount", "10"), ("item", "Pen"));
        world.Time.Advance(TimeSpan.FromMinutes(1));
        world.Start("access", Alice, ("system", "aws"));

        var reply = world.Commands.Execute("status", Alice, "slack");

        Assert.StartsWith("access-1 — Access request — open", reply.Text);
        Assert.Equal("You have not started any request yet.", world.Commands.Execute("status", Bob, "slack").Text);
    }

    [Fact]
    public void Status_of_an_unknown_id_explains_what_ids_look_like()
    {
        var reply = World().Commands.Execute("status purchase-99", Alice, "slack");

        Assert.True(reply.IsError);
        Assert.Equal("There is no request purchase-99. Ids look like purchase-3; see requests or mine.", reply.Text);
    }

    [Fact]
    public void Mine_lists_what_waits_for_me_with_since_and_due()
    {
        var world = World();
        world.Start("purchase", Alice, ("amount", "1500"), ("item", "Desk"));
        world.Time.Advance(TimeSpan.FromMinutes(30));
        world.Start("access", Alice, ("system", "github"));
        world.Time.Advance(TimeSpan.FromMinutes(10));
        world.Approve("purchase-1", Bob);

        var reply = world.Commands.Execute("mine", Carol, "slack");

        Assert.Equal(
            """
            Waiting for you (2):
            • access-1 — Access to github for Alice Adams (from Alice Adams, since Mon 2 Mar 08:30 UTC)
            • purchase-1 — Finance check: Desk (from Alice Adams, since Mon 2 Mar 08:40 UTC)
            """,
            reply.Text);
        Assert.Equal("Nothing waits for you. 🎉", world.Commands.Execute("mine", Bob, "slack").Text);
    }

    [Fact]
    public void Mine_shows_the_due_time_of_a_step()
    {
        var world = World();
        world.Start("purchase", Alice, ("amount", "5"), ("item", "Pen"));

        var reply = world.Commands.Execute("mine", Bob, "slack");

        Assert.Equal("Waiting for you (1):\n• purchase-1 — Pen for 5 EUR (from Alice Adams, since Mon 2 Mar 08:00 UTC, due Tue 3 Mar 08:00 UTC)", reply.Text);
    }

    [Fact]
    public void Requests_lists_what_I_started_newest_first_and_where_each_stands()
    {
        var world = World();
        world.Start("purchase", Alice, ("amount", "5"), ("item", "Pen"));
        world.Time.Advance(TimeSpan.FromHours(1));
        world.Approve("purchase-1", Bob);
        world.Start("purchase", Alice, ("amount", "7"), ("item", "Ink"));
        world.Time.Advance(TimeSpan.FromHours(1));
        world.Start("budget", Frank);

        var reply = world.Commands.Execute("requests", Alice, "slack");

        Assert.Equal(
            """
            Your requests:
            • purchase-2 — Purchase request: waiting on Bob Brown at manager since Mon 2 Mar 09:00 UTC
            • purchase-1 — Purchase request: completed Mon 2 Mar 09:00 UTC
            """,
            reply.Text);
        Assert.Equal("You have not started any request yet. See workflows.", world.Commands.Execute("requests", Carol, "slack").Text);
    }

    [Fact]
    public void Cancel_by_the_requester_cancels_and_by_a_stranger_is_refused()
    {
        var world = World();
        world.Start("purchase", Alice, ("amount", "5"), ("item", "Pen"));

        var refused = world.Commands.Execute("cancel purchase-1 mine now", Mallory, "slack");
        Assert.True(refused.IsError);
        Assert.Equal("Only Alice Adams (who asked) or an admin can cancel purchase-1.", refused.Text);
        Assert.Equal(InstanceState.Open, world.Stored("purchase-1").State);

        var reply = world.Commands.Execute("cancel Purchase-1 \"ordered elsewhere\"", Alice, "slack");

        Assert.False(reply.IsError);
        Assert.Equal("Cancelled purchase-1.", reply.Text);
        var stored = world.Stored("purchase-1");
        Assert.Equal(InstanceState.Cancelled, stored.State);
        Assert.Equal("Cancelled by Alice Adams: ordered elsewhere", stored.History[^1].Text);
        Assert.Equal("slack", stored.History[^1].Via);
        Assert.Equal("purchase-1 is already cancelled.", world.Commands.Execute("cancel purchase-1", Erin, "slack").Text);
    }
}
