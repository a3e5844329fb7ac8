using System.Text.Json.Nodes;
using LiteDB;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;
using Orchestrator.Host.Cli;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Cli;

/// <summary>`audit verify` and `audit export` over a store written by the real host through Slack.</summary>
public sealed class AuditCommandTests : IAsyncLifetime
{
    private readonly string _dbPath = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
    private SlackFake _slack = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        await using var host = TestHost.Start(_slack, _dbPath);
        await host.Command(_slack, Alice, "start purchase amount=1500 item=\"Standing desk\"");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Cards(Dave).Count == 1 && s.Cards(Erin).Count == 1, what: "finance cards");
        await host.Command(_slack, Alice, "start purchase amount=20 item=Pens");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 2, what: "Bob's second card");
    }

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [Fact]
    public async Task Verify_passes_on_what_the_host_wrote()
    {
        var (code, output, error) = await HostProcess.Run("audit", "verify", "--db", _dbPath);
        Assert.True(code == 0, error);
        Assert.Matches(@"ok: 2 chains, \d+ events intact", output);
    }

    [Fact]
    public async Task Verify_reads_the_file_while_the_host_is_running()
    {
        await using var host = TestHost.Start(_slack, _dbPath);
        // A change the running host has committed only to its write-ahead log so far must be seen too.
        await host.Command(_slack, Alice, "start purchase amount=30 item=Tape");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 3, what: "the third request's card");
        var (code, output, error) = await HostProcess.Run("audit", "verify", "--db", _dbPath);
        Assert.True(code == 0, error);
        Assert.Contains("ok: 3 chains", output);
    }

    [Fact]
    public async Task Verify_finds_an_edited_event_and_names_it()
    {
        Tamper(db =>
        {
            var audit = db.GetCollection("audit");
            var decided = audit.FindOne(Query.EQ("kind", "Decided"));
            decided["text"] = "Bob Brown rejected";
            audit.Update(decided);
        });

        var (code, _, error) = await Run("verify", "--db", _dbPath);
        Assert.Equal(1, code);
        Assert.Contains("purchase-1 #", error);
        Assert.Contains("content does not match its hash", error);
    }

    [Fact]
    public async Task Verify_finds_an_event_removed_from_the_end_of_a_chain()
    {
        Tamper(db =>
        {
            var audit = db.GetCollection("audit");
            var last = audit.Find(Query.EQ("instance", "purchase-2")).OrderBy(d => d["seq"].AsInt32).Last();
            audit.Delete(last["_id"]);
        });

        var (code, _, error) = await Run("verify", "--db", _dbPath);
        Assert.Equal(1, code);
        Assert.Contains("purchase-2: the trail has", error);
    }

    [Fact]
    public async Task Verify_finds_history_rewritten_in_the_instance_itself()
    {
        Tamper(db =>
        {
            var instances = db.GetCollection("instances");
            var doc = instances.FindById("purchase-1");
            var json = JsonNode.Parse(doc["json"].AsString)!;
            json["history"]![0]!["text"] = "Started by Mallory Moss";
            doc["json"] = json.ToJsonString();
            instances.Update(doc);
        });

        var (code, _, error) = await Run("verify", "--db", _dbPath);
        Assert.Equal(1, code);
        Assert.Contains("purchase-1 #0: the instance's own history differs from the audit trail", error);
    }

    [Fact]
    public async Task Verify_finds_a_decision_changed_by_someone_who_recomputed_every_hash_and_the_head()
    {
        Tamper(db => RewriteDecision(db, "purchase-1", keepKeyedMark: true));

        var (code, _, error) = await Run("verify", "--db", _dbPath);
        Assert.Equal(1, code);
        Assert.Contains("purchase-1 #", error);
        Assert.Contains("content does not match its hash", error);
        Assert.DoesNotContain("purchase-2", error);
    }

    [Fact]
    public async Task Verify_finds_a_keyed_chain_rewritten_to_pass_for_an_old_unkeyed_one()
    {
        Tamper(db => RewriteDecision(db, "purchase-1", keepKeyedMark: false));

        var (code, _, error) = await Run("verify", "--db", _dbPath);
        Assert.Equal(1, code);
        Assert.Contains("purchase-1: unkeyed chain without a valid seal from the audit key", error);
        // Every hash was recomputed faithfully: only the key tells this from the real thing (an unkeyed chain said "intact").
        Assert.DoesNotContain("content does not match", error);
        Assert.DoesNotContain("does not link", error);
    }

    [Fact]
    public async Task The_audit_key_is_kept_beside_the_store_never_in_it_and_verify_needs_it()
    {
        var keyFile = AuditKey.FileOf(_dbPath);
        Assert.True(File.Exists(keyFile), "the host keeps the key it generated beside the store");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var key = File.ReadAllText(keyFile).Trim();
        Assert.DoesNotContain(key, File.ReadAllText(_dbPath, System.Text.Encoding.Latin1));

        var moved = keyFile + ".moved";
        File.Move(keyFile, moved);
        var (without, _, error) = await Run("verify", "--db", _dbPath);
        Assert.Equal(2, without);
        Assert.Contains("no audit key", error);

        var (given, output, _) = await Run("verify", "--db", _dbPath, "--key", key);
        Assert.Equal(0, given);
        Assert.Contains("ok: 2 chains", output);

        var (wrong, _, wrongError) = await Run("verify", "--db", _dbPath, "--key", "not-the-key");
        Assert.Equal(1, wrong);
        Assert.Contains("checked with another audit key", wrongError);
        File.Move(moved, keyFile);
    }

    [Fact]
    public async Task Old_unkeyed_chains_keep_verifying_and_are_named_as_legacy()
    {
        var path = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
        var catalog = new Catalog();
        catalog.Replace([DefinitionLoader.Parse("""
            id: note
            name: Note
            steps:
              - id: a
                title: Look
                assignees: person:bob@example.com
            """, "note.yaml").Definitions.Single()], new PeopleDirectory([new Person { Email = "bob@example.com", Name = "Bob" }]), []);
        // As the store was written before the chain was keyed.
        using (var old = new LiteDbStore(path))
        {
            var engine = new WorkflowEngine(catalog, old, TimeProvider.System);
            engine.Start("note", new Dictionary<string, string>(), "alice@example.com", "test");
            engine.Decide("note-1", old.Get("note-1")!.Steps[0].Assignments[0].Id, "bob@example.com", Verdict.Approve, null, "test");
        }
        var (before, beforeOutput, beforeError) = await Run("verify", "--db", path);
        Assert.True(before == 0, beforeError);
        Assert.Contains("unkeyed (legacy", beforeOutput);
        Assert.Contains("note-1", beforeOutput);

        // The first keyed host seals it: it still verifies, named as legacy; rewritten without the key, it does not.
        var key = AuditKey.Bytes("a-key-from-configuration");
        using (var keyed = new LiteDbStore(path, auditKey: key))
        {
            var engine = new WorkflowEngine(catalog, keyed, TimeProvider.System);
            engine.Start("note", new Dictionary<string, string>(), "alice@example.com", "test");
        }
        var (after, afterOutput, afterError) = await Run("verify", "--db", path, "--key", "a-key-from-configuration");
        Assert.True(after == 0, afterError);
        Assert.Contains("unkeyed (legacy, written before the audit key; only plain hashes vouch for them): note-1", afterOutput);
        Assert.Contains("ok: 2 chains", afterOutput);

        using (var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }))
            RewriteDecision(db, "note-1", keepKeyedMark: false);
        var (tampered, _, tamperedError) = await Run("verify", "--db", path, "--key", "a-key-from-configuration");
        Assert.Equal(1, tampered);
        Assert.Contains("note-1: unkeyed chain without a valid seal", tamperedError);
    }

    [Fact]
    public async Task Export_writes_every_event_with_its_hash_chain_as_json_lines()
    {
        var file = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.jsonl");
        var (code, output, _) = await Run("export", "--out", file, "--db", _dbPath);
        Assert.Equal(0, code);
        var lines = File.ReadAllLines(file).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Contains($"wrote {lines.Count} events", output);
        var first = lines.Where(l => (string?)l["instance"] == "purchase-1").ToList();
        Assert.Equal("Started", (string?)first[0]["kind"]);
        Assert.Equal("", (string?)first[0]["prev"]);
        for (var n = 1; n < first.Count; n++) Assert.Equal((string?)first[n - 1]["hash"], (string?)first[n]["prev"]);
        Assert.Contains(first, l => (string?)l["kind"] == "Decided" && (string?)l["actor"] == "bob@example.com" && (string?)l["via"] == "slack");

        var (_, later, _) = await Run("export", "--out", file, "--since", "2999-01-01", "--db", _dbPath);
        Assert.Contains("wrote 0 events", later);
        Assert.Empty(File.ReadAllLines(file));
    }

    [Theory]
    [InlineData("check", "unknown command 'check'")]
    [InlineData("export --db {db}", "--out <file.jsonl> is required")]
    [InlineData("export --out x.jsonl --since yesterday --db {db}", "--since 'yesterday' is not a date")]
    [InlineData("verify --db /nonexistent/orchestrator.db", "no such store file")]
    [InlineData("verify --wat 1", "unknown option '--wat'")]
    public async Task Bad_arguments_exit_2_with_the_reason(string args, string expected)
    {
        var (code, _, error) = await Run(args.Replace("{db}", _dbPath, StringComparison.Ordinal).Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
    }

    /// <summary>
    /// What someone with write access to the file alone can do: turn the decision into a rejection in the trail and in the
    /// instance's own history, recompute every hash after it (plain SHA-256, the key being elsewhere) and the instance's head.
    /// </summary>
    private static void RewriteDecision(LiteDatabase db, string instanceId, bool keepKeyedMark)
    {
        var audit = db.GetCollection("audit");
        var instances = db.GetCollection("instances");
        var entries = audit.Find(Query.EQ("instance", instanceId)).OrderBy(d => d["seq"].AsInt32).ToList();
        var decided = entries.First(d => d["kind"].AsString == "Decided");
        var doc = instances.FindById(instanceId);
        var json = JsonNode.Parse(doc["json"].AsString)!;
        decided["text"] = "Bob Brown rejected: too expensive";
        json["history"]![decided["seq"].AsInt32]!["text"] = decided["text"].AsString;
        var prev = "";
        foreach (var e in entries)
        {
            e["prev"] = prev;
            e["hash"] = Sha256(e, prev);
            if (!keepKeyedMark) e["keyed"] = false;
            audit.Update(e);
            prev = e["hash"].AsString;
        }
        doc["json"] = json.ToJsonString();
        doc["chain"] = prev;
        instances.Update(doc);
    }

    private static string Sha256(BsonDocument e, string prev)
    {
        static string? Text(BsonDocument d, string name) => d[name].IsString ? d[name].AsString : null;
        var stamp = DateTime.SpecifyKind(e["at"].AsDateTime, DateTimeKind.Utc).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var canonical = System.Text.Json.JsonSerializer.Serialize(new object?[]
        {
            e["instance"].AsString, e["seq"].AsInt32, stamp, e["kind"].AsString, Text(e, "actor"), Text(e, "step"), e["text"].AsString, Text(e, "via"), prev,
        });
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));
    }

    private void Tamper(Action<LiteDatabase> change)
    {
        // The host that wrote the file ran in this process a moment ago; under load LiteDB may still be settling it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var db = new LiteDatabase(new ConnectionString { Filename = _dbPath, Connection = ConnectionType.Direct });
                change(db);
                return;
            }
            catch (LiteException) when (attempt < 5)
            {
                Thread.Sleep(200 * attempt);
            }
        }
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliCommands.RunAsync(["audit", .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
