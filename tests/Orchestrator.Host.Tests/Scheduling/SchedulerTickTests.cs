using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;
using Orchestrator.Host.Scheduling;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Tests.Scheduling;

/// <summary>The tick on a real LiteDB file: it finds what is due through the index, all of it, once.</summary>
public sealed class SchedulerTickTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private readonly LiteDbStore _store = new(Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db"));

    public void Dispose() => _store.Dispose();

    [Fact]
    public void A_tick_nudges_every_due_owner_even_past_one_batch_and_a_second_tick_nothing()
    {
        var catalog = new Catalog();
        catalog.Replace([Workflow("slow", "1w"), Workflow("fast", "1h")], new PeopleDirectory([new Person { Email = "bob@example.com", Name = "Bob" }]), []);
        var engine = new WorkflowEngine(catalog, _store, _time);
        for (var i = 0; i < 100; i++) engine.Start("slow", new Dictionary<string, string>(), "alice@example.com", "test");
        for (var i = 0; i < 700; i++) engine.Start("fast", new Dictionary<string, string>(), "alice@example.com", "test");
        var tick = new SchedulerTick(_store, _store, engine, _time, NullLogger<SchedulerTick>.Instance);

        Assert.Equal((0, 0, 0), tick.RunAt(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal((700, 700, 0), tick.RunAt(_time.GetUtcNow()));
        Assert.Equal((0, 0, 0), tick.RunAt(_time.GetUtcNow()));
        Assert.Equal(700, _store.AllOutbox().Count(o => o.Payload.Contains("\"effect\":\"remind\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_tick_processes_what_is_due_at_the_moment_it_is_given_and_stamps_it_with_that_moment()
    {
        var catalog = new Catalog();
        catalog.Replace([Workflow("fast", "1h")], new PeopleDirectory([new Person { Email = "bob@example.com", Name = "Bob" }]), []);
        var engine = new WorkflowEngine(catalog, _store, _time);
        var id = engine.Start("fast", new Dictionary<string, string>(), "alice@example.com", "test").Instance!.Id;
        var tick = new SchedulerTick(_store, _store, engine, _time, NullLogger<SchedulerTick>.Instance);
        var later = _time.GetUtcNow().AddHours(2);

        Assert.Equal((1, 1, 0), tick.RunAt(later));

        var nudged = Assert.Single(_store.Get(id)!.History, e => e.Kind == Orchestrator.Core.Instances.EventKind.Nudged);
        Assert.Equal(later, nudged.At);
        Assert.Equal(later.AddHours(1), _store.Get(id)!.NextDueAt());
        Assert.Equal((0, 0, 0), tick.RunAt(later));
    }

    private static WorkflowDefinition Workflow(string id, string remind) => DefinitionLoader.Parse($"""
        id: {id}
        name: {id}
        steps:
          - id: a
            title: Look at it
            assignees: person:bob@example.com
            remind: {remind}
        """, $"{id}.yaml").Definitions.Single();
}
