using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;
using Orchestrator.Host.Api;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>
/// What a person was told was recorded survives a power loss: each commit reaches the disk (the store's log is synced)
/// before the store returns, so before the 200 to Slack, the 201 to the API or the answer to Teams.
/// </summary>
public sealed class DurableCommitTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"durable-{Guid.NewGuid():N}.db");
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public void Dispose()
    {
        File.Delete(_path);
        File.Delete(StoreFiles.LogOf(_path));
    }

    private static WorkflowEngine Engine(LiteDbStore store)
    {
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
        return new WorkflowEngine(catalog, store, new FakeTimeProvider(Monday));
    }

    [Fact]
    public void Every_acknowledged_kind_of_change_is_on_disk_when_the_store_returns()
    {
        using var store = new LiteDbStore(_path);
        var engine = Engine(store);
        var log = store.Disk.Log;
        var changes = new List<(string What, Action Change)>();
        string? id = null;
        void Change(string what, Action change) => changes.Add((what, change));
        Change("a Slack request recorded (before its 200)", () => Assert.True(store.TryRecordInbound("slack:1", "command", "{}", null, Monday)));
        Change("a request started (before the API's 201)", () => id = engine.Start("one", new Dictionary<string, string>(), "alice@example.com", "api").Instance!.Id);
        Change("a decision (before Teams' answer)", () =>
            Assert.Equal(DecideOutcome.Recorded, engine.Decide(id!, store.Get(id!)!.Steps[0].Assignments[0].Id, "bob@example.com", Verdict.Approve, "ok", "teams").Outcome));
        Change("a request marked done", () => store.MarkInboundDone("slack:1"));
        Change("a message queued", () => Assert.True(store.Enqueue(OutboxKinds.SlackRespond, "reply:slack:1", null, null, "{}")));
        Change("a post begun", () => store.MarkTryStarted(store.AllOutbox().First(o => o.State == OutboxState.Pending).Id));
        Change("a message delivered", () => store.MarkDelivered(store.AllOutbox().First(o => o.State == OutboxState.Pending).Id, Monday));
        Change("a card posted", () => store.SaveCard(id!, "check.1", "slack", "C1", "1.2"));
        Change("a Slack identity", () => store.SaveSlackIdentity("bob@example.com", "U2", "Europe/Paris", Monday));
        Change("a digest sent", () => Assert.True(store.TryMarkDigest("bob@example.com", new DateOnly(2026, 3, 2))));
        Change("an API key created (through the shared database)", () => new ApiKeyStore(store).Create("erp", Monday));

        foreach (var (what, change) in changes)
        {
            var before = log.Syncs;
            change();
            Assert.True(log.AllOnDisk, $"{what}: written to the log but not synced to disk");
            Assert.True(log.Syncs > before, $"{what}: the log was not synced");
        }
    }

    [Fact]
    public void A_batch_of_a_hundred_changes_costs_one_sync()
    {
        using var store = new LiteDbStore(_path);
        var engine = Engine(store);
        var before = store.Disk.Log.Syncs;

        store.Batch(() =>
        {
            for (var i = 0; i < 100; i++) engine.Start("one", new Dictionary<string, string>(), "alice@example.com", "api");
        });

        Assert.True(store.Disk.Log.AllOnDisk);
        Assert.Equal(before + 1, store.Disk.Log.Syncs);
    }

    [Fact]
    public void Commits_are_read_back_after_reopening_and_an_empty_log_goes_with_the_close()
    {
        string id;
        using (var store = new LiteDbStore(_path))
            id = Engine(store).Start("one", new Dictionary<string, string>(), "alice@example.com", "api").Instance!.Id;

        Assert.False(File.Exists(StoreFiles.LogOf(_path)), "closing checkpoints the log into the store and removes it, as LiteDB does");
        using var reopened = new LiteDbStore(_path);
        Assert.Equal("alice@example.com", reopened.Get(id)!.Requester);
        Assert.True(File.Exists(StoreFiles.LogOf(_path)), "the log is made again, private, on open");
    }

    [Fact]
    public void A_second_writer_cannot_take_the_file_a_store_holds_open()
    {
        using var store = new LiteDbStore(_path);
        // What apikey create|revoke try first, to refuse writing next to a running host.
        Assert.Throws<IOException>(() => new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
    }
}
