using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Exceptions;

/// <summary>Delegation, modes, cancel, the admins' queue and who may do what, through the real host and Slack.</summary>
public sealed class SlackExceptionPathTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private TestHost _host = null!;
    private string _workflows = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _workflows = TestWorkflows.Folder(TestWorkflows.Team, TestWorkflows.Board, TestWorkflows.Ghost);
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?> { ["Workflows:Path"] = _workflows });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private Task<string> Reply(string user, string text, string expect) => _host.Answer(_slack, user, text, expect);

    [Fact]
    public async Task Delegating_moves_the_card_out_and_sends_new_work_to_the_delegate_on_behalf_of_the_absent()
    {
        await _host.Command(_slack, Alice, "start purchase amount=200 item=Lamp");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");

        var answer = await Reply(Bob, "delegate <@UFRANK|frank> until 2099-12-31", "your new assignments go to Frank Fischer");
        Assert.Contains("Moved what waited for you to Frank Fischer: purchase-1.", answer);

        await _slack.WaitFor(s => s.Cards(Bob)[0].Updates > 0, what: "Bob's card closed in place");
        Assert.Empty(_slack.Cards(Bob)[0].Buttons());
        Assert.Contains("Moved to Frank Fischer (delegated)", _slack.Cards(Bob)[0].AllText());
        await _slack.WaitFor(s => s.Cards(Frank).Count == 1, what: "Frank's card");
        Assert.Contains("on behalf of Bob Brown", _slack.Cards(Frank)[0].AllText());
        Assert.NotEmpty(_slack.Cards(Frank)[0].Buttons());
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("purchase-1 (manager) moved from Bob Brown to Frank Fischer")), what: "Alice told");
        Assert.Contains("purchase-1", await Reply(Frank, "mine", "Waiting for you (1)"));
        Assert.Equal("Nothing waits for you. 🎉", await Reply(Bob, "mine", "Nothing waits"));

        await _host.Command(_slack, Alice, "start purchase amount=300 item=Chair");
        await _slack.WaitFor(s => s.Cards(Frank).Count == 2, what: "the new request at Frank");
        Assert.Contains("on behalf of Bob Brown", _slack.Cards(Frank)[1].AllText());
        Assert.Single(_slack.Cards(Bob));
        Assert.Contains(_host.Store.Get("purchase-2")!.History, e => e.Kind == Core.Instances.EventKind.Handoff);

        await _host.Click(_slack, Frank, "approve", _slack.Cards(Frank)[1].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("purchase-2 (Purchase request) is approved")), what: "purchase-2 approved by the delegate");

        // The delegation outlives this request: it is in the store, and delegate off ends it.
        Assert.Single(_host.Services.GetRequiredService<IDelegationStore>().All());
        await Reply(Bob, "delegate off", "Your delegation to Frank Fischer ended");
        Assert.Empty(_host.Services.GetRequiredService<IDelegationStore>().All());
    }

    [Theory]
    [InlineData("delegate <@UBOB>", "You can't delegate to yourself.")]
    [InlineData("delegate nobody@example.com", "I don't know nobody@example.com.")]
    [InlineData("delegate frank@example.com until 2020-01-01", "2020-01-01 is in the past")]
    [InlineData("delegate frank@example.com until tomorrow", "'tomorrow' is not a date")]
    [InlineData("delegate off", "You have no delegation running")]
    public async Task Bad_delegations_get_a_private_answer_and_change_nothing(string text, string says)
    {
        await Reply(Bob, text, says);

        Assert.Empty(_host.Services.GetRequiredService<IDelegationStore>().All());
        Assert.Empty(_slack.Dm(Bob));
    }

    [Fact]
    public async Task A_delegation_loop_is_refused()
    {
        await Reply(Frank, "delegate <@UBOB>", "your new assignments go to Bob Brown");

        await Reply(Bob, "delegate <@UFRANK>", "Frank Fischer already hands their work on to you (Frank Fischer → Bob Brown), so that would be a loop.");

        Assert.Single(_host.Services.GetRequiredService<IDelegationStore>().All());
    }

    [Fact]
    public async Task In_mode_any_the_first_answer_decides_and_every_other_copy_says_who_decided()
    {
        await _host.Command(_slack, Alice, "start team");
        await _slack.WaitFor(s => s.Cards(Dave).Count == 1 && s.Cards(Erin).Count == 1, what: "both finance cards");
        var erinsCopy = _slack.Cards(Erin)[0].ButtonValue("approve");

        await _host.Click(_slack, Dave, "approve", _slack.Cards(Dave)[0].ButtonValue("approve"));

        await _slack.WaitFor(s => s.Cards(Erin)[0].Updates > 0, what: "Erin's copy updated");
        Assert.Empty(_slack.Cards(Erin)[0].Buttons());
        Assert.Contains("Decided by Dave Diaz: approved", _slack.Cards(Erin)[0].AllText());
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("team-1 (Team decision) is approved")), what: "Alice told approved");

        // A late click on the other copy changes nothing and says why.
        await _host.Click(_slack, Erin, "approve", erinsCopy);
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("Already decided: approved by Dave Diaz")), what: "Erin told who decided");
        Assert.Single(_host.Store.Get("team-1")!.Steps[0].Assignments, a => a.Decision is not null);
    }

    [Fact]
    public async Task A_quorum_that_can_no_longer_be_reached_fails_at_once()
    {
        await _host.Command(_slack, Alice, "start board");
        await _slack.WaitFor(s => s.Cards(Dave).Count == 1 && s.Cards(Erin).Count == 1 && s.Cards(Frank).Count == 1, what: "three cards");

        await _host.SubmitView(Dave, "reject_reason", _slack.Cards(Dave)[0].ButtonValue("reject"), Reason("Not this quarter"));
        await _slack.WaitFor(s => s.Cards(Frank)[0].AllText().Contains("0 of 2 approvals"), what: "partial progress on Frank's card");
        Assert.NotEmpty(_slack.Cards(Frank)[0].Buttons());

        await _host.SubmitView(Erin, "reject_reason", _slack.Cards(Erin)[0].ButtonValue("reject"), Reason("Agree with Dave"));

        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("board-1 (Board vote) was rejected at vote")), what: "Alice told it failed");
        await _slack.WaitFor(s => !s.Cards(Frank)[0].Buttons().Any(), what: "Frank's card closed without his answer");
        Assert.Contains("the quorum can no longer be reached", _slack.Cards(Frank)[0].AllText());
        Assert.Equal("Rejected", _host.Store.Get("board-1")!.State.ToString());
    }

    [Fact]
    public async Task Cancel_closes_every_open_card_in_place_and_tells_whoever_held_one()
    {
        await _host.Command(_slack, Alice, "start team");
        await _slack.WaitFor(s => s.Cards(Dave).Count == 1 && s.Cards(Erin).Count == 1, what: "both finance cards");

        await Reply(Alice, "cancel team-1 changed my mind", "Cancelled team-1.");

        foreach (var holder in new[] { Dave, Erin })
        {
            await _slack.WaitFor(s => s.Cards(holder)[0].Updates > 0, what: $"{holder}'s card closed");
            Assert.Empty(_slack.Cards(holder)[0].Buttons());
            Assert.Contains("Cancelled by Alice Adams: changed my mind", _slack.Cards(holder)[0].AllText());
            await _slack.WaitFor(s => s.Dm(holder).Any(m => m.AllText().Contains("Team decision (team-1) was cancelled by Alice Adams: changed my mind")), what: $"{holder} told");
        }
    }

    [Fact]
    public async Task An_unreachable_assignee_lands_in_admin_stuck_and_a_reassign_clears_it()
    {
        await _host.Command(_slack, Alice, "start ghost");
        await _slack.WaitFor(s => s.Dm(Carol).Any(m => m.AllText().Contains("Could not deliver the card for review of ghost-1 to ghost@example.com")), what: "the admin alerted at once");
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("ghost-1 is waiting on an admin")), what: "the requester told");

        var stuck = await Reply(Carol, "admin stuck", "Waiting on an admin (1)");
        Assert.Contains("ghost-1 at review — the card could not be delivered to ghost@example.com", stuck);
        Assert.Contains("fix: /orchestrate admin reassign ghost-1 review <person>", stuck);

        var moved = await Reply(Carol, "admin reassign ghost-1 review <@UDAVE|dave>", "Reassigned review of ghost-1");
        Assert.Contains("from ghost@example.com to Dave Diaz", moved);
        await _slack.WaitFor(s => s.Cards(Dave).Count == 1, what: "Dave's card");
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("ghost-1 (review) was reassigned by Carol Chen to Dave Diaz")), what: "the requester told of the reassign");
        Assert.Equal("Nothing waits on an admin. 🎉", await Reply(Carol, "admin stuck", "Nothing waits"));

        var history = _host.Store.Get("ghost-1")!.History;
        Assert.Contains(history, e => e.Kind == Core.Instances.EventKind.Reassigned && e.Actor == "carol@example.com" && e.Via == "slack");
    }

    [Theory]
    [InlineData("admin stuck", "Only admins can list what is stuck.")]
    [InlineData("admin reassign purchase-1 manager dave@example.com", "Only admins can reassign work. Nothing was changed.")]
    [InlineData("admin reload", "Only admins can reload workflows and the directory. Nothing was changed.")]
    public async Task Admin_commands_are_refused_to_everyone_else(string text, string refusal)
    {
        await _host.Command(_slack, Alice, "start purchase amount=200 item=Lamp");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");

        Assert.Equal(refusal, await Reply(Bob, text, "Only admins"));

        Assert.Equal(["bob@example.com"], _host.Store.Get("purchase-1")!.CurrentOwners());
    }

    [Fact]
    public async Task Status_of_someone_elses_request_is_refused_without_details()
    {
        await _host.Command(_slack, Alice, "start purchase amount=200 item=Lamp");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");

        Assert.Equal("You are not part of purchase-1.", await Reply(Dave, "status purchase-1", "purchase-1"));
        Assert.Contains("purchase-1 — Purchase request — open", await Reply(Bob, "status purchase-1", "purchase-1"));
        Assert.Contains("purchase-1 — Purchase request — open", await Reply(Carol, "status purchase-1", "purchase-1"));
    }

    [Fact]
    public async Task Admin_reload_reads_a_new_workflow_file_and_names_a_broken_one()
    {
        File.WriteAllText(Path.Combine(_workflows, "late.yaml"), TestWorkflows.Team.Replace("id: team", "id: late"));
        File.WriteAllText(Path.Combine(_workflows, "broken.yaml"), "id: broken\nsteps: 3\n");

        var answer = await Reply(Carol, "admin reload", "Reloaded");

        Assert.Contains("late@", answer);
        Assert.Contains("broken.yaml", answer);
        Assert.Contains("Started late-1", await Reply(Alice, "start late", "late-1"));
    }

    private static JsonObject Reason(string text) => new()
    {
        ["reason"] = new JsonObject { ["reason"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = text } },
    };
}
