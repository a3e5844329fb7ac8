using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Tests.Engine;

/// <summary>A catalog, a store, a clock and the real engine and command service over them.</summary>
internal sealed class TestWorld
{
    public const string Alice = "alice@example.com";
    public const string Bob = "bob@example.com";
    public const string Carol = "carol@example.com";
    public const string Dave = "dave@example.com";
    public const string Erin = "erin@example.com";
    public const string Frank = "frank@example.com";
    public const string Mallory = "mallory@example.com";
    public const string Grace = "grace@example.com";

    /// <summary>Alice reports to Bob; Carol and Dave are finance; Erin is the admin, in Berlin; Frank has no manager.</summary>
    public const string Directory = """
        people:
          - { email: alice@example.com, name: Alice Adams, manager: bob@example.com, roles: [engineering] }
          - { email: bob@example.com, name: Bob Brown }
          - { email: carol@example.com, name: Carol Clark, roles: [finance] }
          - { email: dave@example.com, name: Dave Doe, roles: [finance] }
          - { email: erin@example.com, name: Erin Evans, roles: [admin], timezone: Europe/Berlin }
          - { email: frank@example.com, name: Frank Fox }
          - { email: mallory@example.com, name: Mallory Moss }
          - { email: grace@example.com, name: Grace Green, roles: [it] }
        """;

    /// <summary>Monday 2 March 2026, 08:00 UTC.</summary>
    public static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    public TestWorld(params string[] workflows) : this(Directory, workflows)
    {
    }

    /// <summary>A world over another directory, for tests that need people this one lacks (time zones, longer chains).</summary>
    public TestWorld(string directory, IReadOnlyList<string> workflows)
    {
        var people = DirectoryLoader.Parse(directory, "directory.yaml");
        Assert.True(people.IsValid, string.Join("\n", people.Errors));
        People = people.Directory;
        Load([.. workflows]);
        Engine = new WorkflowEngine(Catalog, Store, Time, Delegations);
        Commands = new CommandService(Catalog, Engine, Store, Reloads);
    }

    public FakeTimeProvider Time { get; } = new(Monday);
    public Catalog Catalog { get; } = new();
    public InMemoryInstanceStore Store { get; } = new();
    public MemoryDelegationStore Delegations { get; } = new();
    public CountingCatalogSource Reloads { get; } = new();
    public PeopleDirectory People { get; }
    public WorkflowEngine Engine { get; }
    public CommandService Commands { get; }

    public static WorkflowDefinition Definition(string yaml)
    {
        var result = DefinitionLoader.Parse(yaml, "test.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return Assert.Single(result.Definitions);
    }

    /// <summary>Replaces every definition in force, as an admin reload does.</summary>
    public void Load(params string[] workflows) => Catalog.Replace(workflows.Select(Definition), People, []);

    public WorkflowInstance Start(string workflow, string requester, params (string Field, string Value)[] inputs)
    {
        var result = Engine.Start(workflow, inputs.ToDictionary(i => i.Field, i => i.Value), requester, "slack");
        Assert.Equal(StartOutcome.Started, result.Outcome);
        return result.Instance!;
    }

    public WorkflowInstance Stored(string id) => Store.Get(id) ?? throw new InvalidOperationException($"{id} is not stored.");

    /// <summary>The assignment of the latest card <paramref name="person"/> was asked to decide on this instance.</summary>
    public string CardOf(string instanceId, string person) =>
        Store.Effects.OfType<AskDecision>().Last(e => e.InstanceId == instanceId && e.Recipient == person).Card.AssignmentId;

    public DecideResult Approve(string instanceId, string person, string? comment = null) =>
        Engine.Decide(instanceId, CardOf(instanceId, person), person, Verdict.Approve, comment, "slack");

    public DecideResult Reject(string instanceId, string person, string? reason) =>
        Engine.Decide(instanceId, CardOf(instanceId, person), person, Verdict.Reject, reason, "teams");

    public DecideResult Done(string instanceId, string person) =>
        Engine.Decide(instanceId, CardOf(instanceId, person), person, Verdict.Done, null, "slack");
}

/// <summary>Stands in for the host's loader: counts reloads and changes nothing.</summary>
internal sealed class CountingCatalogSource : ICatalogSource
{
    public int Count { get; private set; }

    public CatalogReload Reload()
    {
        Count++;
        return new CatalogReload([]);
    }
}
