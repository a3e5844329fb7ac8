using System.Globalization;
using System.Text.Json.Nodes;
using NJsonSchema;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Host.Tests.Slack;

public sealed class SlackManifestTests
{
    private const string BaseUrl = "https://orchestrator.example.com";

    [Fact]
    public async Task The_rendered_manifest_is_valid_against_slacks_schema()
    {
        var manifest = ToJson(SlackManifest.Render(ReadManifest(), BaseUrl));
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Repo.Schemas, "slack-app-manifest.schema.1.0.0.json"));

        var errors = schema.Validate(manifest.ToJsonString());

        Assert.True(errors.Count == 0, string.Join('\n', errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Fact]
    public void The_rendered_manifest_points_slack_at_the_hosts_three_endpoints()
    {
        var manifest = ToJson(SlackManifest.Render(ReadManifest(), BaseUrl + "/"));

        var command = manifest["features"]!["slash_commands"]![0]!;
        Assert.Equal("/orchestrate", command["command"]!.GetValue<string>());
        Assert.Equal($"{BaseUrl}/slack/commands", command["url"]!.GetValue<string>());
        Assert.Equal($"{BaseUrl}/slack/events", manifest["settings"]!["event_subscriptions"]!["request_url"]!.GetValue<string>());
        Assert.Equal($"{BaseUrl}/slack/interactions", manifest["settings"]!["interactivity"]!["request_url"]!.GetValue<string>());
        Assert.False(manifest["settings"]!["socket_mode_enabled"]!.GetValue<bool>());
        Assert.DoesNotContain(SlackManifest.BaseUrlPlaceholder, manifest.ToJsonString());
    }

    [Theory]
    [InlineData("http://orchestrator.example.com")]
    [InlineData("orchestrator.example.com")]
    [InlineData("/slack")]
    [InlineData("ftp://orchestrator.example.com")]
    [InlineData("https://orchestrator.example.com/?x=1")]
    [InlineData("")]
    public void A_base_url_slack_cannot_reach_is_refused(string baseUrl)
    {
        var e = Assert.Throws<ArgumentException>(() => SlackManifest.Render(ReadManifest(), baseUrl));

        Assert.Contains(baseUrl, e.Message);
    }

    [Theory]
    [InlineData("http://localhost:5000", "http://localhost:5000/slack/commands")]
    [InlineData("https://example.com/orchestrator/", "https://example.com/orchestrator/slack/commands")]
    public void Localhost_over_http_and_base_paths_are_accepted(string baseUrl, string commandUrl)
    {
        var manifest = ToJson(SlackManifest.Render(ReadManifest(), baseUrl));

        Assert.Equal(commandUrl, manifest["features"]!["slash_commands"]![0]!["url"]!.GetValue<string>());
    }

    private static string ReadManifest() => File.ReadAllText(Path.Combine(Repo.Root, "manifests", "slack", "manifest.yaml"));

    internal static JsonObject ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (JsonObject)ToNode(stream.Documents[0].RootNode)!;
    }

    // YAML 1.2 core schema typing for plain scalars, so that `true` and `5` reach the JSON schema as boolean and number.
    private static JsonNode? ToNode(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToNode(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToNode)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar => Plain(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new NotSupportedException(node.NodeType.ToString()),
    };

    private static JsonNode? Plain(string value) => value switch
    {
        "" or "~" or "null" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        _ => JsonValue.Create(value),
    };
}
