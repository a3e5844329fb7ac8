using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;
using Orchestrator.Core.Tests.Engine;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Commands;

/// <summary>Who may do what to Alice's purchase, which waits on Bob while Frank stands in for him.</summary>
public sealed class AuthorizationTests
{
    private const string Id = "purchase-1";

    public static TheoryData<string, string, bool> Rules => new()
    {
        // action      actor     allowed
        { "decide", Bob, true },
        { "decide", Frank, true }, // Bob's active delegate
        { "decide", Alice, false },
        { "decide", Erin, false },
        { "decide", Mallory, false },
        { "cancel", Alice, true },
        { "cancel", Erin, true },
        { "cancel", Bob, false },
        { "cancel", Frank, false },
        { "cancel", Mallory, false },
        { "status", Alice, true },
        { "status", Bob, true },
        { "status", Frank, true },
        { "status", Erin, true },
        { "status", Mallory, false },
        { "status", Carol, false },
        { "admin stuck", Erin, true },
        { "admin stuck", Alice, false },
        { "admin stuck", Bob, false },
        { "admin reassign", Erin, true },
        { "admin reassign", Bob, false },
        { "admin reassign", Mallory, false },
        { "admin reload", Erin, true },
        { "admin reload", Alice, false },
        { "delegate", Bob, true },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_action_is_allowed_only_to_the_people_it_belongs_to(string action, string actor, bool allowed)
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));
        world.Delegations.Save(new Delegation { From = Bob, To = Frank, Since = Monday });
        var card = world.CardOf(Id, Bob);
        world.Store.NewEffects();
        var writes = world.Store.Writes;

        var (ok, message) = action switch
        {
            "decide" => Decide(world, card, actor),
            _ => Command(world, action switch
            {
                "cancel" => $"cancel {Id}",
                "status" => $"status {Id}",
                "admin reassign" => $"admin reassign {Id} manager grace@example.com",
                "delegate" => "delegate mallory@example.com",
                _ => action,
            }, actor),
        };

        Assert.True(allowed == ok, message);
        if (allowed) return;
        Assert.Equal(Refusal(action), message);
        Assert.Equal(writes, world.Store.Writes);
        Assert.Empty(world.Store.NewEffects());
        Assert.Equal(0, world.Reloads.Count);
        Assert.Equal(InstanceState.Open, world.Stored(Id).State);
    }

    private static (bool, string) Decide(TestWorld world, string card, string actor)
    {
        var result = world.Engine.Decide(Id, card, actor, Verdict.Approve, null, "slack");
        return (result.Recorded, result.Message);
    }

    private static (bool, string) Command(TestWorld world, string text, string actor)
    {
        var reply = world.Commands.Execute(text, actor, "slack");
        return (!reply.IsError, reply.Text);
    }

    private static string Refusal(string action) => action switch
    {
        "decide" => "This card is for Bob Brown; only they can answer it. Nothing was changed.",
        "cancel" => "Only Alice Adams (who asked) or an admin can cancel purchase-1.",
        "status" => "You are not part of purchase-1.",
        "admin stuck" => "Only admins can list what is stuck.",
        "admin reassign" => "Only admins can reassign work. Nothing was changed.",
        "admin reload" => "Only admins can reload workflows and the directory. Nothing was changed.",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    [Fact]
    public void Whoever_handed_work_on_and_whoever_held_it_before_may_still_see_it()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Engine.Delegate(Bob, Frank, null, "slack");
        world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));
        world.Engine.Reassign(Id, "manager", Grace, Erin, "slack");

        Assert.False(world.Commands.Execute($"status {Id}", Bob, "slack").IsError);
        Assert.False(world.Commands.Execute($"status {Id}", Frank, "slack").IsError);
        Assert.False(world.Commands.Execute($"status {Id}", Grace, "slack").IsError);
        Assert.True(world.Commands.Execute($"status {Id}", Dave, "slack").IsError);
    }

    [Fact]
    public void A_refused_status_does_not_say_whether_or_where_the_request_waits()
    {
        var world = new TestWorld(Workflows.Purchase);
        world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk"));

        var reply = world.Commands.Execute($"status {Id}", Mallory, "teams");

        Assert.DoesNotContain("Bob", reply.Text);
        Assert.DoesNotContain("Desk", reply.Text);
    }
}
