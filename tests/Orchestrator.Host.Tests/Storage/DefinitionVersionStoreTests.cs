using System.Text.Json;
using System.Text.Json.Nodes;
using LiteDB;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;
using Orchestrator.Host.Storage;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>Definitions kept once per version in a real LiteDB file, instances referring to them, and files written before that.</summary>
public sealed class DefinitionVersionStoreTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private const string TwoSteps = """
        id: buy
        name: Buying something
        steps:
          - id: check
            title: Check the price
            assignees: person:bob@example.com
          - id: pay
            title: Pay for it
            assignees: person:carol@example.com
        """;

    public void Dispose()
    {
        File.Delete(_path);
        File.Delete(StoreFiles.LogOf(_path));
    }

    private static WorkflowEngine Engine(IInstanceStore store, string yaml = TwoSteps)
    {
        var people = DirectoryLoader.Parse("""
            people:
              - { email: alice@example.com, name: Alice }
              - { email: bob@example.com, name: Bob }
              - { email: carol@example.com, name: Carol }
            """, "directory.yaml");
        var catalog = new Catalog();
        catalog.Replace(DefinitionLoader.Parse(yaml, "buy.yaml").Definitions, people.Directory, []);
        return new WorkflowEngine(catalog, store, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Monday));
    }

    private static WorkflowInstance Start(WorkflowEngine engine) =>
        engine.Start("buy", new Dictionary<string, string>(), "alice@example.com", "slack").Instance!;

    private JsonNode StoredJson(string id)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = _path, Connection = ConnectionType.Direct });
        return JsonNode.Parse(db.GetCollection("instances").FindById(id)["json"].AsString)!;
    }

    private int StoredDefinitions()
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = _path, Connection = ConnectionType.Direct });
        return db.GetCollection(DefinitionVersions.Collection).Count();
    }

    [Fact]
    public void Each_definition_version_is_stored_once_however_many_instances_refer_to_it()
    {
        using (var store = new LiteDbStore(_path))
        {
            var engine = Engine(store);
            for (var n = 0; n < 3; n++) Start(engine);
            engine.Decide("buy-1", "check.1", "bob@example.com", Verdict.Approve, null, "slack");
        }

        Assert.Equal(1, StoredDefinitions());
        var reference = StoredJson("buy-2")["definition"]!.AsObject();
        Assert.Equal(["id", "version"], reference.Select(p => p.Key).Order());
        Assert.Equal("buy", (string?)reference["id"]);

        // Read back in a new process's store, with nothing cached: the whole definition comes from its one stored version.
        using var reopened = new LiteDbStore(_path);
        var instance = reopened.Get("buy-1")!;
        Assert.Equal("Buying something", instance.Definition.Name);
        Assert.Equal(["Check the price", "Pay for it"], instance.Definition.Steps.Select(s => s.Title));
        Assert.Equal(StepState.Active, instance.Steps[1].State);
        Assert.Same(instance.Definition, reopened.Get("buy-3")!.Definition);
    }

    [Fact]
    public void An_instance_stored_with_its_whole_definition_embedded_still_loads_and_moves_to_a_reference_on_its_next_write()
    {
        // A file as the store wrote it before definitions were kept apart: the instance's JSON embeds its definition,
        // serialised with the store's plain options, and there is no definitions collection.
        WorkflowInstance started;
        using (var store = new LiteDbStore(_path)) started = Start(Engine(store));
        using (var db = new LiteDatabase(new ConnectionString { Filename = _path, Connection = ConnectionType.Direct }))
        {
            var instances = db.GetCollection("instances");
            var doc = instances.FindById(started.Id);
            doc["json"] = JsonSerializer.Serialize(started, StoreJson.Options);
            instances.Update(doc);
            db.DropCollection(DefinitionVersions.Collection);
        }
        Assert.Equal("Check the price", (string?)StoredJson(started.Id)["definition"]!["steps"]![0]!["title"]);

        // The definition file has changed since: the old instance keeps the steps it started with.
        using (var store = new LiteDbStore(_path))
        {
            var engine = Engine(store, TwoSteps.Replace("Pay for it", "Pay twice").Replace("person:carol", "person:alice"));
            var loaded = store.Get(started.Id)!;
            Assert.Equal("Buying something", loaded.Definition.Name);
            Assert.Equal(started.Definition.Version, loaded.Definition.Version);
            Assert.Empty(store.WaitingOn("carol@example.com"));

            Assert.True(engine.Decide(started.Id, "check.1", "bob@example.com", Verdict.Approve, null, "slack").Recorded);
            Assert.Equal([started.Id], store.WaitingOn("carol@example.com").Select(i => i.Id));
            Assert.True(AuditChain.Verify(store.Database).Problems.Count == 0, string.Join("\n", AuditChain.Verify(store.Database).Problems));
        }

        Assert.Equal(1, StoredDefinitions());
        Assert.Equal(["id", "version"], StoredJson(started.Id)["definition"]!.AsObject().Select(p => p.Key).Order());
        using var reopened = new LiteDbStore(_path);
        Assert.Equal("Pay for it", reopened.Get(started.Id)!.Definition.Steps[1].Title);
    }

    [Fact]
    public void A_definition_version_written_in_a_rolled_back_batch_is_written_again_with_the_next_instance()
    {
        using (var store = new LiteDbStore(_path))
        {
            var engine = Engine(store);
            Assert.Throws<InvalidOperationException>(() => store.Batch(() =>
            {
                Start(engine);
                throw new InvalidOperationException("the batch fails after its first instance");
            }));
            Start(engine);
        }

        Assert.Equal(1, StoredDefinitions());
        using var reopened = new LiteDbStore(_path);
        Assert.Equal("Buying something", reopened.ListInstances(null, null, null, 10).Single().Definition.Name);
    }

    [Fact]
    public void An_instance_whose_definition_version_is_missing_from_the_file_says_which_one()
    {
        string version;
        using (var store = new LiteDbStore(_path)) version = Start(Engine(store)).Definition.Version;
        using (var db = new LiteDatabase(new ConnectionString { Filename = _path, Connection = ConnectionType.Direct }))
            db.DropCollection(DefinitionVersions.Collection);

        using var reopened = new LiteDbStore(_path);
        var error = Assert.Throws<JsonException>(() => reopened.Get("buy-1"));
        Assert.Contains($"buy version {version} is not in the store", error.Message);
    }
}
