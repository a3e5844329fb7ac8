using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Scheduling;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Scheduling;

/// <summary>
/// Delivered messages and finished requests are pruned after <c>Storage:Retention</c>; nothing exactly-once still needs
/// (pending or failed messages, requests not done, an open request's cards) is ever touched.
/// </summary>
public sealed class RetentionJobTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"retention-{Guid.NewGuid():N}.db");
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Days30 = TimeSpan.FromDays(30);
    private readonly FakeTimeProvider _time = new(Monday);
    private readonly LiteDbStore _store;
    private readonly WorkflowEngine _engine;

    public RetentionJobTests()
    {
        _store = new LiteDbStore(_path, _time);
        var catalog = new Catalog();
        catalog.Replace(DefinitionLoader.Parse("""
            id: one
            name: One
            steps:
              - { id: check, title: Check, assignees: "person:bob@example.com" }
            """, "one.yaml").Definitions, DirectoryLoader.Parse("""
            people:
              - { email: alice@example.com, name: Alice }
              - { email: bob@example.com, name: Bob }
            """, "directory.yaml").Directory, []);
        _engine = new WorkflowEngine(catalog, _store, _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        File.Delete(_path);
    }

    private RetentionJob Job(TimeSpan? retention = null) =>
        new(_store, Options.Create(new StorageOptions { Path = _path, Retention = retention ?? Days30 }), _time, NullLogger<RetentionJob>.Instance);

    private string Start() => _engine.Start("one", new Dictionary<string, string>(), "alice@example.com", "slack").Instance!.Id;

    private void Finish(string id) =>
        Assert.Equal(DecideOutcome.Recorded, _engine.Decide(id, _store.Get(id)!.Steps[0].Assignments[0].Id, "bob@example.com", Verdict.Approve, "ok", "slack").Outcome);

    private void DeliverAll(DateTimeOffset at)
    {
        foreach (var item in _store.PendingOutbox(10_000)) _store.MarkDelivered(item.Id, at);
    }

    [Fact]
    public void Old_delivered_messages_and_finished_requests_go_and_everything_exactly_once_needs_stays()
    {
        var finished = Start();
        Finish(finished);
        var open = Start();
        _store.Enqueue(OutboxKinds.SlackRespond, "reply:old", null, null, "{}");
        DeliverAll(Monday);
        Assert.True(_store.Enqueue(OutboxKinds.SlackRespond, "reply:failed", null, null, "{}"));
        _store.MarkFailed(_store.PendingOutbox(1)[0].Id, "channel_not_found");
        Assert.True(_store.Enqueue(OutboxKinds.SlackRespond, "reply:pending", null, null, "{}"));
        Assert.True(_store.Enqueue(OutboxKinds.SlackRespond, "reply:recent", null, null, "{}"));
        _store.MarkDelivered(_store.PendingOutbox(10).Single(i => i.Key == "reply:recent").Id, Monday.AddDays(20));

        _store.TryRecordInbound("slack:old-done", "command", "{}", null, Monday);
        _store.MarkInboundDone("slack:old-done");
        _store.TryRecordInbound("slack:old-not-done", "command", "{}", null, Monday);
        _store.TryRecordInbound("slack:recent-done", "command", "{}", null, Monday.AddDays(20));
        _store.MarkInboundDone("slack:recent-done");
        var openCards = _store.EffectsOf(open).Count;
        var total = _store.AllOutbox().Count;

        var (outbox, inbox) = Job().RunAt(Monday.AddDays(31));

        var left = _store.AllOutbox();
        Assert.DoesNotContain(left, o => o.InstanceId == finished);
        Assert.DoesNotContain(left, o => o.Key == "reply:old");
        Assert.Contains(left, o => o.Key == "reply:failed" && o.State == OutboxState.Failed);
        Assert.Contains(left, o => o.Key == "reply:pending" && o.State == OutboxState.Pending);
        Assert.Contains(left, o => o.Key == "reply:recent");
        Assert.Equal(openCards, _store.EffectsOf(open).Count);
        Assert.True(openCards > 0);
        Assert.Equal(3 + openCards, left.Count);
        Assert.Equal(total - left.Count, outbox);

        Assert.Equal(1, inbox);
        Assert.Equal(2, _store.CountInbound());
        Assert.False(_store.IsInboundDone("slack:old-done"));
        Assert.True(_store.IsInboundDone("slack:recent-done"));
        Assert.Equal(["slack:old-not-done"], _store.UnprocessedInbound().Select(i => i.Key));
    }

    [Theory]
    [InlineData(29, 0)]
    [InlineData(30, 0)]
    [InlineData(31, 1)]
    public void A_finished_request_is_kept_for_the_retention_so_a_retry_is_still_recognised(int daysLater, int pruned)
    {
        _store.TryRecordInbound("slack:1", "command", "{}", null, Monday);
        _store.MarkInboundDone("slack:1");

        var (_, inbox) = Job().RunAt(Monday.AddDays(daysLater).AddMinutes(-1));

        Assert.Equal(pruned, inbox);
        Assert.Equal(pruned == 0, !_store.TryRecordInbound("slack:1", "command", "{}", null, Monday));
    }

    [Fact]
    public void Pruning_goes_in_batches_past_an_open_requests_messages_and_reaches_every_old_one()
    {
        // More of an open request's old messages than fit in a batch, all delivered first: the job must go on past them.
        var open = Start();
        for (var i = 0; i < RetentionJob.BatchSize + 20; i++) _store.Enqueue(OutboxKinds.Effect, $"{open}/extra/{i}", open, "bob@example.com", "{}");
        DeliverAll(Monday);
        var kept = _store.AllOutbox().Count;
        for (var i = 0; i < 2 * RetentionJob.BatchSize + 7; i++) _store.Enqueue(OutboxKinds.SlackRespond, $"reply:{i}", null, null, "{}");
        DeliverAll(Monday.AddMinutes(1));
        for (var i = 0; i < RetentionJob.BatchSize + 3; i++)
        {
            _store.TryRecordInbound($"slack:{i}", "command", "{}", null, Monday);
            _store.MarkInboundDone($"slack:{i}");
        }

        var (outbox, inbox) = Job().RunAt(Monday.AddDays(40));

        Assert.Equal(2 * RetentionJob.BatchSize + 7, outbox);
        Assert.Equal(kept, _store.AllOutbox().Count);
        Assert.All(_store.AllOutbox(), o => Assert.Equal(open, o.InstanceId));
        Assert.Equal(RetentionJob.BatchSize + 3, inbox);
        Assert.Equal(0, _store.CountInbound());
        Assert.Equal((0, 0), Job().RunAt(Monday.AddDays(40)));
    }

    [Fact]
    public async Task A_retention_shorter_than_a_day_stops_the_host_with_the_reason()
    {
        await using var slack = await SlackStory.StartSlack();
        var error = Assert.ThrowsAny<Exception>(() =>
        {
            _ = TestHost.Start(slack, settings: new Dictionary<string, string?> { ["Storage:Retention"] = "00:10:00" });
        });
        Assert.Contains("Storage:Retention must be at least", Flatten(error));
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " / " + Flatten(e.InnerException);
}
