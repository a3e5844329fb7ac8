using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>The queries behind mine, admin stuck and delegations, on a real LiteDB file that is closed and opened again.</summary>
public sealed class LiteDbStoreTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    public void Dispose() => File.Delete(_path);

    private static WorkflowEngine Engine(LiteDbStore store, IDelegationStore? delegations = null)
    {
        var definitions = DefinitionLoader.Parse("""
            id: two
            name: Two
            steps:
              - id: check
                title: Check
                assignees: [person:bob@example.com, person:carol@example.com]
                mode: all
            """, "two.yaml");
        var people = DirectoryLoader.Parse("""
            people:
              - { email: alice@example.com, name: Alice }
              - { email: bob@example.com, name: Bob }
              - { email: carol@example.com, name: Carol, roles: [admin] }
              - { email: frank@example.com, name: Frank }
            """, "directory.yaml");
        var catalog = new Catalog();
        catalog.Replace(definitions.Definitions, people.Directory, []);
        return new WorkflowEngine(catalog, store, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Monday), delegations ?? new MemoryDelegationStore());
    }

    [Fact]
    public void Waiting_on_finds_an_instance_through_any_of_its_current_owners()
    {
        using var store = new LiteDbStore(_path);
        var id = Engine(store).Start("two", new Dictionary<string, string>(), "alice@example.com", "slack").Instance!.Id;

        Assert.Equal([id], store.WaitingOn("bob@example.com").Select(i => i.Id));
        Assert.Equal([id], store.WaitingOn("Carol@Example.com").Select(i => i.Id));
        Assert.Empty(store.WaitingOn("alice@example.com"));
    }

    [Fact]
    public void An_undelivered_card_puts_the_instance_in_the_admins_queue_until_it_is_reassigned()
    {
        using (var store = new LiteDbStore(_path))
        {
            var engine = Engine(store);
            var id = engine.Start("two", new Dictionary<string, string>(), "alice@example.com", "slack").Instance!.Id;
            Assert.Empty(store.NeedingAdmin());
            engine.RecordDelivery(id, "check.1", null, "no Slack account");
        }

        using (var store = new LiteDbStore(_path))
        {
            var engine = Engine(store);
            Assert.Equal(StuckKind.Undeliverable, Assert.Single(engine.Stuck()).Kind);
            Assert.True(engine.Reassign("two-1", "check", "frank@example.com", "carol@example.com", "slack").Changed);
            Assert.Empty(store.NeedingAdmin());
        }
    }

    [Fact]
    public void Delegations_survive_a_restart_with_their_end()
    {
        var ends = new DateTimeOffset(2026, 3, 6, 23, 0, 0, TimeSpan.Zero);
        using (var store = new LiteDbStore(_path))
            new LiteDbDelegationStore(store).Save(new Delegation { From = "bob@example.com", To = "frank@example.com", Until = new DateOnly(2026, 3, 6), Ends = ends, Since = Monday, Via = "teams" });

        using (var store = new LiteDbStore(_path))
        {
            var delegations = new LiteDbDelegationStore(store);
            var stored = Assert.Single(delegations.All());
            Assert.Equal(new Delegation { From = "bob@example.com", To = "frank@example.com", Until = new DateOnly(2026, 3, 6), Ends = ends, Since = Monday, Via = "teams" }, stored);
            Assert.True(delegations.Remove("Bob@example.com"));
            Assert.Empty(delegations.All());
        }
    }
}
