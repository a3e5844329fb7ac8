using Orchestrator.Core.Commands;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using static Orchestrator.Core.Tests.Engine.TestWorld;

namespace Orchestrator.Core.Tests.Engine;

public sealed class WorkflowEngineTextLimitTests
{
    private static readonly string Longest = new('x', TextLimits.Comment);
    private static readonly string TooLong = new('x', TextLimits.Comment + 1);

    private static (TestWorld World, string Id) PurchaseWaitingOnBob()
    {
        var world = new TestWorld(Workflows.Purchase);
        var id = world.Start("purchase", Alice, ("amount", "50"), ("item", "Desk")).Id;
        world.Store.NewEffects();
        return (world, id);
    }

    private static void NothingChanged(TestWorld world, string id, int revision)
    {
        Assert.Equal(revision, world.Stored(id).Revision);
        Assert.Empty(world.Store.NewEffects());
    }

    [Fact]
    public void A_reason_over_the_limit_is_refused_naming_it_and_changes_nothing()
    {
        var (world, id) = PurchaseWaitingOnBob();
        var revision = world.Stored(id).Revision;

        var result = world.Reject(id, Bob, TooLong);

        Assert.Equal(DecideOutcome.TooLong, result.Outcome);
        Assert.Equal("The reason is 3,001 characters long; the most is 3,000. Shorten it; nothing was changed.", result.Message);
        NothingChanged(world, id, revision);
        Assert.Equal(InstanceState.Open, world.Stored(id).State);
    }

    [Fact]
    public void A_reason_at_the_limit_is_recorded_whole()
    {
        var (world, id) = PurchaseWaitingOnBob();

        var result = world.Reject(id, Bob, Longest);

        Assert.True(result.Recorded, result.Message);
        Assert.Equal(Longest, world.Stored(id).Steps[0].Assignments[0].Decision!.Comment);
    }

    [Fact]
    public void A_comment_on_an_approval_over_the_limit_is_refused()
    {
        var (world, id) = PurchaseWaitingOnBob();
        var revision = world.Stored(id).Revision;

        var result = world.Approve(id, Bob, TooLong);

        Assert.Equal(DecideOutcome.TooLong, result.Outcome);
        Assert.StartsWith("The comment is 3,001 characters long", result.Message);
        NothingChanged(world, id, revision);
    }

    [Fact]
    public void A_cancel_reason_over_the_limit_is_refused()
    {
        var (world, id) = PurchaseWaitingOnBob();
        var revision = world.Stored(id).Revision;

        var result = world.Engine.Cancel(id, Alice, TooLong, "slack");

        Assert.Equal(DecideOutcome.TooLong, result.Outcome);
        Assert.StartsWith("The reason is 3,001 characters long", result.Message);
        NothingChanged(world, id, revision);
    }

    [Fact]
    public void A_question_and_an_answer_over_the_limit_are_refused_naming_which()
    {
        var (world, id) = PurchaseWaitingOnBob();
        var card = world.CardOf(id, Bob);
        var revision = world.Stored(id).Revision;

        var asked = world.Engine.RequestInfo(id, card, Bob, new string('q', TextLimits.Question + 1), "slack");

        Assert.Equal(DecideOutcome.TooLong, asked.Outcome);
        Assert.StartsWith("The question is 3,001 characters long", asked.Message);
        NothingChanged(world, id, revision);

        Assert.True(world.Engine.RequestInfo(id, card, Bob, "Which dock?", "slack").Recorded);
        var question = world.Stored(id).Steps[0].Questions[0].Id;
        world.Store.NewEffects();
        revision = world.Stored(id).Revision;
        var answered = world.Engine.AnswerInfo(id, question, Alice, new string('a', TextLimits.Answer + 1), "slack");

        Assert.Equal(DecideOutcome.TooLong, answered.Outcome);
        Assert.StartsWith("The answer is 3,001 characters long", answered.Message);
        NothingChanged(world, id, revision);
    }

    [Fact]
    public void An_input_over_the_limit_is_refused_naming_the_input_and_starts_nothing()
    {
        var world = new TestWorld(Workflows.Purchase);

        var result = world.Engine.Start("purchase", new Dictionary<string, string> { ["amount"] = "5", ["item"] = new string('x', TextLimits.Input + 1) }, Alice, "slack");

        Assert.Equal(StartOutcome.InvalidInputs, result.Outcome);
        Assert.Equal(new InputError("item", "item is 3,001 characters long; the most is 3,000."), Assert.Single(result.Errors!));
        Assert.Empty(world.Store.NewEffects());
    }

    [Fact]
    public void A_long_input_keeps_the_title_short_and_the_whole_value_in_the_instance()
    {
        var world = new TestWorld(Workflows.Purchase);
        var item = new string('x', TextLimits.Input);

        var instance = world.Start("purchase", Alice, ("amount", "5"), ("item", item));

        var title = instance.Title(instance.Definition.Steps[0]);
        Assert.Equal(TextLimits.Title, title.Length);
        Assert.EndsWith("…", title);
        Assert.Equal(item, world.Stored(instance.Id).Inputs["item"]);
    }

    [Fact]
    public void An_api_comment_over_the_limit_is_refused()
    {
        var (world, id) = PurchaseWaitingOnBob();
        var revision = world.Stored(id).Revision;

        var result = world.Engine.Comment(id, "jira", TooLong, "api");

        Assert.Equal(DecideOutcome.TooLong, result.Outcome);
        NothingChanged(world, id, revision);
    }

    [Fact]
    public void A_command_over_the_limit_is_refused_before_it_is_parsed()
    {
        var world = new TestWorld(Workflows.Purchase);
        var text = "start purchase amount=5 item=\"" + new string('x', TextLimits.Command) + "\"";

        var reply = world.Commands.Execute(text, Alice, "slack");

        Assert.True(reply.IsError);
        Assert.StartsWith($"That command is {text.Length:N0} characters long; the most is 12,000.", reply.Text);
        Assert.Empty(world.Store.NewEffects());
    }

    [Fact]
    public void A_typo_suggestion_on_a_huge_word_is_cheap()
    {
        // 25 MB made the suggestion's distance table allocate gigabytes; a word is compared by its start only.
        var word = new string('z', 5_000_000) + "status";
        var before = GC.GetAllocatedBytesForCurrentThread();

        var near = CommandParser.Suggest(word, ["help", "status", "start"]);
        var ranked = CommandParser.RankByCloseness(word, ["help", "status", "start"]);

        Assert.Null(near);
        Assert.Equal(3, ranked.Count);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "the suggestion allocated more than 1 MB");
    }

    [Fact]
    public void An_unknown_verb_is_echoed_cut_short()
    {
        var invalid = Assert.IsType<InvalidCommand>(CommandParser.Parse(new string('y', 5000)));

        Assert.Equal($"I don't know the command '{new string('y', TextLimits.Echo - 1)}…'.", invalid.Error);
    }
}
