using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;
using Orchestrator.Host.Scheduling;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Tests.Scheduling;

/// <summary>A step paused for the requester's answer, on a real LiteDB file: the indexes the scheduler and digest read agree.</summary>
public sealed class InfoPauseTickTests : IDisposable
{
    private const string Alice = "alice@example.com";
    private const string Bob = "bob@example.com";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private readonly LiteDbStore _store = new(Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db"));

    public void Dispose() => _store.Dispose();

    [Fact]
    public void While_the_requester_holds_a_question_only_she_is_nudged_and_the_step_is_not_overdue()
    {
        var catalog = new Catalog();
        catalog.Replace([Workflow()], new PeopleDirectory([new Person { Email = Alice, Name = "Alice" }, new Person { Email = Bob, Name = "Bob" }]), []);
        var engine = new WorkflowEngine(catalog, _store, _time);
        var id = engine.Start("sign", new Dictionary<string, string>(), Alice, "test").Instance!.Id;
        Assert.Equal([id], _store.WaitingOn(Bob).Select(i => i.Id));
        _time.Advance(TimeSpan.FromMinutes(30));
        Assert.True(engine.RequestInfo(id, "a.1", Bob, "Which version?", "test").Recorded);
        var tick = new SchedulerTick(_store, _store, engine, _time, NullLogger<SchedulerTick>.Instance);

        _time.Advance(TimeSpan.FromHours(3));

        Assert.Equal((1, 1, 0), tick.RunAt(_time.GetUtcNow()));
        var reminders = _store.AllOutbox().Where(o => o.Payload.Contains("\"effect\":\"remind\"", StringComparison.Ordinal)).ToList();
        Assert.Equal([Alice], reminders.Select(r => r.Recipient));
        Assert.Empty(_store.Overdue(_time.GetUtcNow()));
        Assert.Equal([id], _store.WaitingOn(Alice).Select(i => i.Id));
        Assert.Empty(_store.WaitingOn(Bob));

        Assert.True(engine.AnswerInfo(id, "a.q1", Alice, "The second", "test").Recorded);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(30), _store.Get(id)!.Steps[0].DueAt);
        _time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal([id], _store.Overdue(_time.GetUtcNow()).Select(i => i.Id));
    }

    private static WorkflowDefinition Workflow() => DefinitionLoader.Parse("""
        id: sign
        name: Sign
        steps:
          - id: a
            title: Sign it
            assignees: person:bob@example.com
            remind: 1h
            due: 1h
        """, "sign.yaml").Definitions.Single();
}
