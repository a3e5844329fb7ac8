using System.Net;
using System.Text;
using LiteDB;
using Orchestrator.Host.Cli;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Cli;

/// <summary>`apikey create|list|revoke` on the store file, and what the host then makes of the keys.</summary>
public sealed class ApiKeyCommandTests : IAsyncLifetime
{
    private readonly string _dbPath = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
    private SlackFake _slack = null!;

    public async Task InitializeAsync() => _slack = await StartSlack();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    [Fact]
    public async Task Create_prints_a_new_key_once_and_stores_only_its_hash()
    {
        var (code, output, error) = await Run("apikey", "create", "jira", "--db", _dbPath);

        Assert.Equal(0, code);
        var key = output.Trim();
        Assert.Matches("^orc_[A-Za-z0-9_-]{43}$", key);
        Assert.Contains("shown only this once", error);
        Assert.DoesNotContain(key, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(_dbPath)));
        using var db = new LiteDatabase(new ConnectionString { Filename = _dbPath, ReadOnly = true });
        var stored = db.GetCollection("apikeys").FindById("jira");
        Assert.Equal(Orchestrator.Host.Api.ApiKeyStore.Hash(key), stored["hash"].AsString);
    }

    [Fact]
    public async Task List_shows_names_systems_created_last_used_and_revoked()
    {
        await Run("apikey", "create", "jira", "--db", _dbPath);
        await Run("apikey", "create", "erp", "--db", _dbPath);
        await Run("apikey", "create", "sap-prod", "--system", "erp", "--db", _dbPath);
        await Run("apikey", "revoke", "erp", "--db", _dbPath);

        var (code, output, _) = await Run("apikey", "list", "--db", _dbPath);

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^name\s+system\s+created\s+last used\s+revoked$", lines[0]);
        Assert.Matches(@"^erp\s+erp\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+never\s+\d{4}-\d\d-\d\d \d\d:\d\dZ$", lines[1]);
        Assert.Matches(@"^jira\s+jira\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+never\s+-$", lines[2]);
        Assert.Matches(@"^sap-prod\s+erp\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+never\s+-$", lines[3]);
    }

    [Fact]
    public async Task Create_binds_the_key_to_its_system_and_the_host_lets_it_complete_only_that_systems_steps()
    {
        var (code, output, error) = await Run("apikey", "create", "sap-prod", "--system", "ERP", "--db", _dbPath);

        Assert.Equal(0, code);
        Assert.Contains("acting as system:erp", error);
        using (var db = new LiteDatabase(new ConnectionString { Filename = _dbPath, ReadOnly = true }))
            Assert.Equal("erp", db.GetCollection("apikeys").FindById("sap-prod")["system"].AsString);
        await using var host = TestHost.Start(_slack, _dbPath);
        var id = await host.StartPurchase(output.Trim(), 10, "Pens");
        Assert.Equal("system:erp", host.Store.Get(id)!.StartedBy);
    }

    [Fact]
    public async Task A_key_listed_from_before_systems_shows_its_name_as_its_system()
    {
        using (var db = new LiteDatabase(new ConnectionString { Filename = _dbPath }))
            db.GetCollection("apikeys").Insert(new BsonDocument
            {
                ["_id"] = "legacy", ["hash"] = "00", ["created"] = DateTime.UtcNow, ["last_used"] = BsonValue.Null, ["revoked"] = BsonValue.Null,
            });

        var (code, output, _) = await Run("apikey", "list", "--db", _dbPath);

        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^legacy\s+legacy \(name\)\s+", output);
    }

    [Theory]
    [InlineData("create", "Bad/Name", "not a valid name")]
    [InlineData("create", "--db", "name the key")]
    [InlineData("create", "jira2 --system", "--system")]
    [InlineData("create", "jira2 --system Bad/System", "not a valid system")]
    [InlineData("list", "--system erp", "--system")]
    [InlineData("revoke", "nobody", "there is no key named 'nobody'")]
    [InlineData("rotate", "jira", "unknown command 'rotate'")]
    public async Task Bad_input_exits_2_with_the_reason(string verb, string name, string reason)
    {
        await Run("apikey", "create", "jira", "--db", _dbPath);

        var (code, _, error) = await Run(["apikey", verb, .. name.Split(' '), "--db", _dbPath]);

        Assert.Equal(2, code);
        Assert.Contains(reason, error);
    }

    [Fact]
    public async Task A_duplicate_name_or_a_second_revoke_exits_2()
    {
        await Run("apikey", "create", "jira", "--db", _dbPath);

        Assert.Equal(2, (await Run("apikey", "create", "jira", "--db", _dbPath)).Code);
        Assert.Equal(0, (await Run("apikey", "revoke", "jira", "--db", _dbPath)).Code);
        var (code, _, error) = await Run("apikey", "revoke", "jira", "--db", _dbPath);
        Assert.Equal(2, code);
        Assert.Contains("already revoked", error);
    }

    [Fact]
    public async Task A_created_key_opens_the_api_and_once_revoked_gets_401()
    {
        var key = (await Run("apikey", "create", "jira", "--db", _dbPath)).Output.Trim();
        await using (var host = TestHost.Start(_slack, _dbPath))
            Assert.Equal(HttpStatusCode.OK, (await host.Get("/api/v1/instances", key)).StatusCode);

        // The stopped host ran in this process: let any file handle LiteDB left to the finalizer go, as a real exit would.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var revoked = await Run("apikey", "revoke", "jira", "--db", _dbPath);
        Assert.True(revoked.Code == 0, revoked.Error);

        await using (var host = TestHost.Start(_slack, _dbPath))
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.Get("/api/v1/instances", key)).StatusCode);
        var (_, list, _) = await Run("apikey", "list", "--db", _dbPath);
        Assert.DoesNotContain("never", list.Split('\n')[1]);
    }

    [Fact]
    public async Task Create_and_revoke_refuse_while_a_host_holds_the_file_and_list_still_reads_it()
    {
        await Run("apikey", "create", "jira", "--db", _dbPath);
        await using var host = TestHost.Start(_slack, _dbPath);
        _ = host.Store;

        var create = await HostProcess.Run("apikey", "create", "erp", "--db", _dbPath);
        var revoke = await HostProcess.Run("apikey", "revoke", "jira", "--db", _dbPath);
        var list = await HostProcess.Run("apikey", "list", "--db", _dbPath);

        Assert.Equal(1, create.Code);
        Assert.Contains("stop it, run this again", create.Error);
        Assert.Equal("", create.Output);
        Assert.Equal(1, revoke.Code);
        Assert.Equal(0, list.Code);
        Assert.Contains("jira", list.Output);
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliCommands.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
