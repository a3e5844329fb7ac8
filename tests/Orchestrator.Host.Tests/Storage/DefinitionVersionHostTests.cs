using LiteDB;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>A running instance keeps the definition it started with across an edit, <c>admin reload</c> and a restart of the host.</summary>
public sealed class DefinitionVersionHostTests
{
    private const string Original = """
        id: change
        name: Change request
        steps:
          - id: review
            title: First review
            assignees: person:dave@example.com
          - id: signoff
            title: Sign-off by Erin
            assignees: person:erin@example.com
        """;

    private const string Edited = """
        id: change
        name: Change request
        steps:
          - id: review
            title: First review
            assignees: person:dave@example.com
          - id: signoff
            title: Sign-off by Frank
            assignees: person:frank@example.com
        """;

    [Fact]
    public async Task An_instance_started_before_a_reload_runs_its_original_steps_after_a_restart_and_each_version_is_stored_once()
    {
        var db = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
        var workflows = Directory.CreateTempSubdirectory("orchestrator-workflows").FullName;
        var file = Path.Combine(workflows, "change.yaml");
        File.WriteAllText(file, Original);
        var settings = new Dictionary<string, string?> { ["Workflows:Path"] = workflows };
        await using var slack = await StartSlack();

        await using (var host = TestHost.Start(slack, db, settings))
        {
            await host.Command(slack, Alice, "start change");
            await host.Command(slack, Alice, "start change");
            await slack.WaitFor(s => s.Cards(Dave).Count == 2, timeout: TimeSpan.FromSeconds(60), what: "Dave's two review cards");

            File.WriteAllText(file, Edited);
            var reload = $"cmd-{Guid.NewGuid():N}";
            await host.Command(slack, Carol, "admin reload", reload);
            await slack.WaitFor(s => s.ResponsesTo(reload).Any(r => r.Contains("Reloaded")), timeout: TimeSpan.FromSeconds(60), what: "the reload's answer");
            await host.Command(slack, Alice, "start change");
            await slack.WaitFor(s => s.Cards(Dave).Count == 3, timeout: TimeSpan.FromSeconds(60), what: "Dave's card for the request started after the reload");
        }

        await using (var host = TestHost.Start(slack, db, settings))
        {
            var first = slack.Cards(Dave).Single(c => c.AllText().Contains("change-1"));
            await host.Click(slack, Dave, "approve", first.ButtonValue("approve"));
            await slack.WaitFor(s => s.Cards(Erin).Count == 1, timeout: TimeSpan.FromSeconds(60), what: "Erin's sign-off card for change-1");
            Assert.Contains("Sign-off by Erin", slack.Cards(Erin)[0].AllText());
            Assert.Contains("change-1", slack.Cards(Erin)[0].AllText());

            var third = slack.Cards(Dave).Single(c => c.AllText().Contains("change-3"));
            await host.Click(slack, Dave, "approve", third.ButtonValue("approve"));
            await slack.WaitFor(s => s.Cards(Frank).Count == 1, timeout: TimeSpan.FromSeconds(60), what: "Frank's sign-off card for change-3");
            Assert.Contains("Sign-off by Frank", slack.Cards(Frank)[0].AllText());
            Assert.Single(slack.Cards(Erin));
        }

        // Three instances, two versions of the file: each version once in the store.
        using var store = new LiteDatabase(new ConnectionString { Filename = db, Connection = ConnectionType.Direct });
        Assert.Equal(3, store.GetCollection("instances").Count());
        var versions = store.GetCollection(DefinitionVersions.Collection).FindAll().ToList();
        Assert.Equal(2, versions.Count);
        Assert.All(versions, v => Assert.Equal("change", v["workflow"].AsString));
    }
}
