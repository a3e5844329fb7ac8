using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using NJsonSchema;
using Orchestrator.Host.Teams;
using Orchestrator.Host.Tests.Infrastructure;
using Orchestrator.Host.Tests.Slack;

namespace Orchestrator.Host.Tests.Teams;

public sealed class TeamsManifestTests
{
    internal const string BotId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    internal const string BaseUrl = "https://orchestrator.example.com";
    internal const string Domain = "orchestrator.example.com";

    internal static string TeamsFolder => Path.Combine(Repo.Root, "manifests", "teams");

    [Fact]
    public async Task The_rendered_manifest_is_valid_against_the_teams_1_17_schema()
    {
        var rendered = TeamsManifest.Render(ReadTemplate(), BotId, BaseUrl);

        var errors = await ValidateAsync(rendered);

        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public void The_rendered_manifest_names_the_bot_its_scopes_commands_and_the_hosts_domain()
    {
        var manifest = JsonNode.Parse(TeamsManifest.Render(ReadTemplate(), BotId.ToUpperInvariant(), BaseUrl + "/"))!;

        Assert.Equal("1.17", manifest["manifestVersion"]!.GetValue<string>());
        Assert.Equal(BotId, manifest["id"]!.GetValue<string>());
        Assert.Equal("Orchestrator", manifest["name"]!["short"]!.GetValue<string>());
        var bot = Assert.Single(manifest["bots"]!.AsArray())!;
        Assert.Equal(BotId, bot["botId"]!.GetValue<string>());
        Assert.False(bot["supportsFiles"]!.GetValue<bool>());
        Assert.Equal(["personal", "team", "groupChat"], bot["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        var commands = bot["commandLists"]!.AsArray().SelectMany(l => l!["commands"]!.AsArray()).Select(c => c!["title"]!.GetValue<string>());
        Assert.Equal(["help", "workflows", "start", "status", "mine", "requests", "home", "cancel", "delegate"], commands);
        Assert.Equal([Domain], manifest["validDomains"]!.AsArray().Select(d => d!.GetValue<string>()));
        foreach (var url in new[] { "websiteUrl", "privacyUrl", "termsOfUseUrl" })
            Assert.StartsWith($"https://{Domain}/", manifest["developer"]![url]!.GetValue<string>());
        Assert.Equal("color.png", manifest["icons"]!["color"]!.GetValue<string>());
        Assert.Equal("outline.png", manifest["icons"]!["outline"]!.GetValue<string>());
        Assert.DoesNotContain("{{", manifest.ToJsonString());
    }

    [Fact]
    public async Task The_template_itself_is_not_a_valid_manifest_until_the_ids_are_filled_in()
    {
        var errors = await ValidateAsync(ReadTemplate());

        Assert.Contains(errors, e => e.Contains("id", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://localhost:5080", "localhost:5080")]
    [InlineData("https://orchestrator.example.com:8443/base/", "orchestrator.example.com:8443")]
    [InlineData("https://Orchestrator.Example.com", "orchestrator.example.com")]
    public void The_domain_is_the_host_with_a_non_default_port(string baseUrl, string domain) =>
        Assert.Equal(domain, TeamsManifest.DomainOf(baseUrl));

    [Theory]
    [InlineData("http://orchestrator.example.com")]
    [InlineData("orchestrator.example.com")]
    [InlineData("ftp://orchestrator.example.com")]
    [InlineData("https://orchestrator.example.com/?x=1")]
    [InlineData("")]
    public void A_base_url_teams_cannot_use_is_refused(string baseUrl) =>
        Assert.Contains(baseUrl, Assert.Throws<ArgumentException>(() => TeamsManifest.Render(ReadTemplate(), BotId, baseUrl)).Message);

    [Theory]
    [InlineData("")]
    [InlineData("not-a-guid")]
    [InlineData("3f2504e04f8911d39a0c0305e82c3301")]
    [InlineData("{3f2504e0-4f89-11d3-9a0c-0305e82c3301}")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public void A_bot_id_that_is_not_an_app_id_is_refused(string botId) =>
        Assert.Throws<ArgumentException>(() => TeamsManifest.Render(ReadTemplate(), botId, BaseUrl));

    [Fact]
    public void The_package_holds_the_manifest_and_both_icons_at_its_root()
    {
        using var zipBytes = new MemoryStream();
        TeamsManifest.WritePackage(TeamsFolder, BotId, BaseUrl, zipBytes);
        zipBytes.Position = 0;
        using var zip = new ZipArchive(zipBytes, ZipArchiveMode.Read);

        Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order());
        Assert.Equal(File.ReadAllBytes(Path.Combine(TeamsFolder, "outline.png")), ReadEntry(zip, "outline.png"));
        Assert.Equal(BotId, JsonNode.Parse(ReadEntry(zip, "manifest.json"))!["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("color.png", 192)]
    [InlineData("outline.png", 32)]
    public void The_icons_have_the_sizes_teams_asks_for(string file, int size)
    {
        var png = Png.Read(Path.Combine(TeamsFolder, file));

        Assert.Equal((size, size), (png.Width, png.Height));
    }

    [Fact]
    public void The_outline_icon_is_white_on_transparent()
    {
        var png = Png.Decode(Path.Combine(TeamsFolder, "outline.png"));

        var strays = png.Pixels().Where(p => p.A != 0 && (p.R, p.G, p.B) != (255, 255, 255)).ToList();
        Assert.Empty(strays);
        Assert.Contains(png.Pixels(), p => p.A == 255);
        Assert.Contains(png.Pixels(), p => p.A == 0);
    }

    [Fact]
    public void The_color_icon_is_opaque()
    {
        var png = Png.Decode(Path.Combine(TeamsFolder, "color.png"));

        Assert.All(png.Pixels(), p => Assert.Equal(255, p.A));
    }

    internal static async Task<List<string>> ValidateAsync(string manifestJson)
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(Repo.Schemas, "MicrosoftTeams.v1.17.schema.json"));
        return [.. schema.Validate(manifestJson).Select(e => $"{e.Path}: {e.Kind}")];
    }

    internal static byte[] ReadEntry(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ReadTemplate() => File.ReadAllText(Path.Combine(TeamsFolder, "manifest.json"));
}

/// <summary>Just enough PNG to check the icons: IHDR, and 8-bit RGBA / RGB image data (all five row filters).</summary>
internal sealed record Png(int Width, int Height, int BitDepth, int ColorType, byte[] Rgba)
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public IEnumerable<(byte R, byte G, byte B, byte A)> Pixels()
    {
        for (var i = 0; i < Rgba.Length; i += 4) yield return (Rgba[i], Rgba[i + 1], Rgba[i + 2], Rgba[i + 3]);
    }

    /// <summary>Only the header: the size without decoding anything.</summary>
    public static Png Read(string path) => Parse(File.ReadAllBytes(path), decode: false);

    public static Png Decode(string path) => Parse(File.ReadAllBytes(path), decode: true);

    private static Png Parse(byte[] bytes, bool decode)
    {
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(Signature), "not a PNG");
        int width = 0, height = 0, depth = 0, colorType = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at < bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                (depth, colorType) = (data[8], data[9]);
                Assert.Equal(0, data[12]); // not interlaced
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            at += 12 + length;
        }
        if (!decode) return new Png(width, height, depth, colorType, []);

        Assert.Equal(8, depth);
        var channels = colorType switch { 6 => 4, 2 => 3, _ => throw new NotSupportedException($"PNG color type {colorType}") };
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress)) zlib.CopyTo(inflated);
        var raw = inflated.ToArray();
        var stride = width * channels;
        Assert.Equal(height * (stride + 1), raw.Length);

        var pixels = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= channels ? pixels[y * stride + x - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int value = raw[y * (stride + 1) + 1 + x];
                pixels[y * stride + x] = (byte)(filter switch
                {
                    0 => value,
                    1 => value + a,
                    2 => value + b,
                    3 => value + (a + b) / 2,
                    4 => value + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG row filter {filter}"),
                });
            }
        }
        var rgba = channels == 4 ? pixels : [.. Enumerable.Range(0, width * height).SelectMany(i => new[] { pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2], (byte)255 })];
        return new Png(width, height, depth, colorType, rgba);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
