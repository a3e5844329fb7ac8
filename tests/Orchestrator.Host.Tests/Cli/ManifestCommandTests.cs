using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using NJsonSchema;
using Orchestrator.Host.Tests.Infrastructure;
using Orchestrator.Host.Tests.Slack;
using Orchestrator.Host.Tests.Teams;

namespace Orchestrator.Host.Tests.Cli;

/// <summary>`Orchestrator.Host manifest teams|slack …` as an admin runs it: a real process, its exit code and its files.</summary>
public sealed class ManifestCommandTests : IDisposable
{
    private const string BotId = TeamsManifestTests.BotId;
    private const string BaseUrl = TeamsManifestTests.BaseUrl;

    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-manifest").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Teams_writes_an_app_package_whose_manifest_passes_the_schema()
    {
        var zipPath = Path.Combine(_folder, "orchestrator-teams.zip");

        var (code, _, error) = await HostProcess.Run("manifest", "teams", "--bot-id", BotId, "--base-url", BaseUrl, "--out", zipPath);

        Assert.True(code == 0, error);
        using var zip = ZipFile.OpenRead(zipPath);
        Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order());
        var manifestJson = System.Text.Encoding.UTF8.GetString(TeamsManifestTests.ReadEntry(zip, "manifest.json"));
        var errors = await TeamsManifestTests.ValidateAsync(manifestJson);
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        var manifest = JsonNode.Parse(manifestJson)!;
        Assert.Equal(BotId, manifest["id"]!.GetValue<string>());
        Assert.Equal(BotId, manifest["bots"]![0]!["botId"]!.GetValue<string>());
        Assert.Equal(TeamsManifestTests.Domain, manifest["validDomains"]![0]!.GetValue<string>());
        foreach (var icon in new[] { "color.png", "outline.png" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(TeamsManifestTests.TeamsFolder, icon)), TeamsManifestTests.ReadEntry(zip, icon));
        Assert.Equal([zipPath], Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task Slack_prints_the_manifest_with_the_urls_filled_in_and_it_passes_slacks_schema()
    {
        var (code, output, error) = await HostProcess.Run("manifest", "slack", "--base-url", BaseUrl);

        Assert.True(code == 0, error);
        Assert.Contains($"{BaseUrl}/slack/commands", output);
        Assert.Contains($"{BaseUrl}/slack/events", output);
        Assert.Contains($"{BaseUrl}/slack/interactions", output);
        Assert.DoesNotContain("{{BASE_URL}}", output);
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Repo.Schemas, "slack-app-manifest.schema.1.0.0.json"));
        var errors = schema.Validate(SlackManifestTests.ToJson(output).ToJsonString());
        Assert.True(errors.Count == 0, string.Join('\n', errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Fact]
    public async Task Slack_writes_the_same_manifest_to_a_file_with_out()
    {
        var yamlPath = Path.Combine(_folder, "slack-manifest.yaml");

        var (code, output, error) = await HostProcess.Run("manifest", "slack", $"--base-url={BaseUrl}/", "--out", yamlPath);

        Assert.True(code == 0, error);
        Assert.Equal("", output);
        var (_, printed, _) = await HostProcess.Run("manifest", "slack", "--base-url", BaseUrl);
        Assert.Equal(printed, File.ReadAllText(yamlPath));
    }

    [Theory]
    [InlineData("missing bot id", "teams", "--base-url", BaseUrl, "--out", "{out}")]
    [InlineData("bot id not a guid", "teams", "--bot-id", "orchestrator", "--base-url", BaseUrl, "--out", "{out}")]
    [InlineData("bot id without dashes", "teams", "--bot-id", "3f2504e04f8911d39a0c0305e82c3301", "--base-url", BaseUrl, "--out", "{out}")]
    [InlineData("bot id without value", "teams", "--bot-id", "--base-url", BaseUrl, "--out", "{out}")]
    [InlineData("missing base url", "teams", "--bot-id", BotId, "--out", "{out}")]
    [InlineData("plain http", "teams", "--bot-id", BotId, "--base-url", "http://orchestrator.example.com", "--out", "{out}")]
    [InlineData("no scheme", "teams", "--bot-id", BotId, "--base-url", "orchestrator.example.com", "--out", "{out}")]
    [InlineData("missing out", "teams", "--bot-id", BotId, "--base-url", BaseUrl)]
    [InlineData("unknown option", "teams", "--bot-id", BotId, "--base-url", BaseUrl, "--out", "{out}", "--force")]
    [InlineData("repeated option", "teams", "--bot-id", BotId, "--bot-id", BotId, "--base-url", BaseUrl, "--out", "{out}")]
    [InlineData("unknown platform", "discord", "--base-url", BaseUrl, "--out", "{out}")]
    [InlineData("no platform")]
    [InlineData("slack without base url", "slack", "--out", "{out}")]
    [InlineData("slack over plain http", "slack", "--base-url", "http://orchestrator.example.com", "--out", "{out}")]
    [InlineData("slack with a bot id", "slack", "--bot-id", BotId, "--base-url", BaseUrl, "--out", "{out}")]
    public async Task Bad_input_exits_2_with_a_reason_and_writes_nothing(string because, params string[] args)
    {
        var outPath = Path.Combine(_folder, "out", "package.zip");

        var (code, output, error) = await HostProcess.Run(["manifest", .. args.Select(a => a.Replace("{out}", outPath, StringComparison.Ordinal))]);

        Assert.True(code == 2, $"{because}: exit {code}, {error}");
        Assert.StartsWith("manifest", error);
        Assert.Contains("usage:", error);
        Assert.Equal("", output);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public async Task Localhost_over_http_is_accepted_for_a_trial()
    {
        var zipPath = Path.Combine(_folder, "local.zip");

        var (code, _, error) = await HostProcess.Run("manifest", "teams", "--bot-id", BotId, "--base-url", "http://localhost:5080", "--out", zipPath);

        Assert.True(code == 0, error);
        using var zip = ZipFile.OpenRead(zipPath);
        var manifest = JsonNode.Parse(TeamsManifestTests.ReadEntry(zip, "manifest.json"))!;
        Assert.Equal("localhost:5080", manifest["validDomains"]![0]!.GetValue<string>());
    }
}
