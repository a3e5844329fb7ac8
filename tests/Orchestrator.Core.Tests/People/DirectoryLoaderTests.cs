using Orchestrator.Core.Definitions;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Tests.People;

public sealed class DirectoryLoaderTests
{
    private const string Path = "manifests/directory.yaml";

    [Fact]
    public void People_load_with_every_field()
    {
        var result = DirectoryLoader.Parse("""
            people:
              - { email: Alice@Example.com, name: Alice, manager: BOB@example.com, roles: [engineering, reviewers], timezone: Europe/Berlin, prefers: slack }
              - email: bob@example.com
                name: Bob
                roles: admin
                prefers: Teams
            """, Path);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var alice = result.Directory.Find("alice@example.com")!;
        Assert.Equal("alice@example.com", alice.Email);
        Assert.Equal("Alice", alice.Name);
        Assert.Equal("bob@example.com", alice.Manager);
        Assert.Equal(["engineering", "reviewers"], alice.Roles);
        Assert.Equal("Europe/Berlin", alice.TimeZone);
        Assert.Equal(Platform.Slack, alice.Prefers);
        var bob = result.Directory.Find("bob@example.com")!;
        Assert.Equal(["admin"], bob.Roles);
        Assert.Null(bob.TimeZone);
        Assert.Null(bob.Manager);
        Assert.Equal(Platform.Teams, bob.Prefers);
        Assert.Equal("Bob", result.Directory.ManagerOf("alice@example.com")!.Name);
    }

    [Fact]
    public void A_person_without_a_name_is_called_by_their_email()
    {
        var result = DirectoryLoader.Parse("people:\n  - { email: zoe@example.com }", Path);
        Assert.Equal("zoe@example.com", result.Directory.Find("zoe@example.com")!.Name);
    }

    public static TheoryData<string, int, string, string> Mistakes => new()
    {
        { "people:\n  - { email: ok@example.com }\n  - { name: No Email }", 3, "people[1].email", "is required" },
        { "people:\n  - { email: ok@example.com }\n  - { email: not-an-email }", 3, "people[1].email", "'not-an-email' is not an email address" },
        { "people:\n  - { email: ok@example.com }\n  - { email: OK@example.com }", 3, "people[1].email", "already listed at people[0]" },
        { "people:\n  - { email: ok@example.com }\n  - email: x@example.com\n    timezone: Mars/Olympus", 4, "people[1].timezone", "'Mars/Olympus' is not a known time zone" },
        { "people:\n  - { email: ok@example.com }\n  - email: x@example.com\n    prefers: email", 4, "people[1].prefers", "'email' is not one of slack, teams" },
        { "people:\n  - { email: ok@example.com }\n  - email: x@example.com\n    manager: ghost@example.com", 4, "people[1].manager", "ghost@example.com is not in the directory" },
        { "people:\n  - { email: ok@example.com }\n  - { email: x@example.com, team: blue }", 3, "people[1].team", "allowed: email, name, manager, roles, timezone, prefers" },
        { "people:\n  - { email: ok@example.com }\n  - { email: x@example.com, manager: nobody }", 3, "people[1].manager", "'nobody' is not an email address" },
        { "people:\n  - { email: ok@example.com }\n  - x@example.com", 3, "people[1]", "must be a mapping" },
        { "people:\n  - { email: ok@example.com }\nteams: []", 3, "teams", "unknown key 'teams'" },
        { "persons:\n  - { email: ok@example.com }", 1, "persons", "unknown key 'persons'" },
        { "people: alice", 1, "people", "must be a list" },
        { "people:\n  - { email: ok@example.com\n", 2, "", "not valid YAML: this '{' is never closed" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Each_mistake_is_reported_with_its_line_and_field(string yaml, int line, string field, string message)
    {
        var result = DirectoryLoader.Parse(yaml, Path);
        var error = result.Errors.First();
        Assert.Equal(Path, error.Path);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
        Assert.Equal(line, error.Line);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void Bad_entries_are_skipped_and_good_ones_kept()
    {
        var result = DirectoryLoader.Parse("""
            people:
              - { email: alice@example.com, manager: bob@example.com }
              - { email: broken, name: Broken }
              - { email: bob@example.com, timezone: Nowhere/City }
              - { email: carol@example.com, prefers: fax }
              - { email: dave@example.com, timezone: Asia/Tokyo }
              - { email: dave@example.com, name: Second Dave }
            """, Path);

        Assert.Equal(["alice@example.com", "dave@example.com"], result.Directory.People.Select(p => p.Email).Order());
        Assert.Equal("dave@example.com", result.Directory.Find("dave@example.com")!.Name);
        Assert.Equal(
            ["3 people[1].email", "4 people[2].timezone", "5 people[3].prefers", "7 people[5].email", "2 people[0].manager"],
            result.Errors.Select(e => $"{e.Line} {e.Field}"));
        Assert.Null(result.Directory.Find("alice@example.com")!.Manager);
    }

    [Fact]
    public void A_management_cycle_is_reported_once_and_broken()
    {
        var result = DirectoryLoader.Parse("""
            people:
              - { email: a@example.com, manager: b@example.com }
              - { email: b@example.com, manager: c@example.com }
              - { email: c@example.com, manager: a@example.com }
              - { email: d@example.com, manager: a@example.com }
            """, Path);

        var error = Assert.Single(result.Errors);
        Assert.Equal(4, error.Line);
        Assert.Equal("people[2].manager", error.Field);
        Assert.Equal("management cycle: a@example.com -> b@example.com -> c@example.com -> a@example.com", error.Message);
        Assert.Equal(4, result.Directory.People.Count);
        Assert.Null(result.Directory.Find("c@example.com")!.Manager);
        Assert.Equal("b@example.com", result.Directory.ManagerOf("a@example.com")!.Email);
        Assert.Equal("a@example.com", result.Directory.ManagerOf("d@example.com")!.Email);
    }

    [Fact]
    public void Being_ones_own_manager_is_a_cycle()
    {
        var result = DirectoryLoader.Parse("people:\n  - { email: a@example.com }\n  - { email: me@example.com, manager: ME@example.com }", Path);
        var error = Assert.Single(result.Errors);
        Assert.Equal((3, "people[1].manager"), (error.Line, error.Field));
        Assert.Contains("cycle", error.Message);
    }

    [Fact]
    public void A_missing_file_is_one_error()
    {
        var missing = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "no-such-" + Guid.NewGuid().ToString("N") + ".yaml");
        var result = DirectoryLoader.Load(missing);
        var error = Assert.Single(result.Errors);
        Assert.Equal(new DefinitionError(missing, 0, "", "the directory file does not exist"), error);
        Assert.Empty(result.Directory.People);
    }

    [Fact]
    public void An_empty_file_is_an_empty_directory()
    {
        var result = DirectoryLoader.Parse("", Path);
        Assert.True(result.IsValid);
        Assert.Empty(result.Directory.People);
    }

    [Fact]
    public void Load_reads_the_file_from_disk()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "directory-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, "people:\n  - { email: a@example.com, timezone: America/New_York }\n");
        try
        {
            var result = DirectoryLoader.Load(path);
            Assert.True(result.IsValid);
            Assert.Equal("America/New_York", result.Directory.Find("A@example.com")!.TimeZone);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
