using System.IO.Compression;
using System.Text.Json.Nodes;

namespace Orchestrator.Host.Teams;

/// <summary>
/// Fills the bot's id and the host's domain into the Teams app manifest template (<c>manifests/teams/manifest.json</c>)
/// and packs it with its two icons into the zip that Teams accepts as a custom app.
/// </summary>
internal static class TeamsManifest
{
    public const string BotIdPlaceholder = "{{BOT_ID}}";
    public const string BaseDomainPlaceholder = "{{BASE_DOMAIN}}";
    public const string ManifestFile = "manifest.json";
    public const string ColorIconFile = "color.png";
    public const string OutlineIconFile = "outline.png";

    public static readonly string[] PackageFiles = [ManifestFile, ColorIconFile, OutlineIconFile];

    /// <summary>The Microsoft App ID in the form the manifest schema accepts (8-4-4-4-12 hex digits), lower case.</summary>
    public static string ParseBotId(string botId) =>
        Guid.TryParseExact(botId, "D", out var id) && id != Guid.Empty
            ? id.ToString("D")
            : throw new ArgumentException(
                $"'{botId}' is not a bot id: use the Microsoft App ID of the bot registration, a GUID like 00000000-0000-0000-0000-000000000000.",
                nameof(botId));

    /// <summary>The host part Teams checks (<c>validDomains</c>), from a public https base URL (http only for loopback).</summary>
    public static string DomainOf(string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
            throw new ArgumentException(
                $"'{baseUrl}' is not a public base URL: Teams needs an absolute https URL (http only for localhost).",
                nameof(baseUrl));
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            throw new ArgumentException($"'{baseUrl}' must be a plain base URL, without user, query or fragment.", nameof(baseUrl));
        return uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";
    }

    public static string Render(string manifestJson, string botId, string baseUrl)
    {
        var id = ParseBotId(botId);
        var domain = DomainOf(baseUrl);
        var rendered = manifestJson
            .Replace(BotIdPlaceholder, id, StringComparison.Ordinal)
            .Replace(BaseDomainPlaceholder, domain, StringComparison.Ordinal);
        // The values are a GUID and a host name, neither of which can break the JSON; check anyway that the template was sound.
        _ = JsonNode.Parse(rendered) ?? throw new InvalidDataException("The Teams manifest template is empty.");
        if (rendered.Contains("{{", StringComparison.Ordinal))
            throw new InvalidDataException("The Teams manifest template has a placeholder this command does not know.");
        return rendered;
    }

    /// <summary>Writes the app package: manifest.json, color.png and outline.png at the root of a zip.</summary>
    public static void WritePackage(string templateFolder, string botId, string baseUrl, Stream destination)
    {
        var manifest = Render(File.ReadAllText(Path.Combine(templateFolder, ManifestFile)), botId, baseUrl);
        var color = File.ReadAllBytes(Path.Combine(templateFolder, ColorIconFile));
        var outline = File.ReadAllBytes(Path.Combine(templateFolder, OutlineIconFile));

        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        WriteEntry(zip, ManifestFile, System.Text.Encoding.UTF8.GetBytes(manifest));
        WriteEntry(zip, ColorIconFile, color);
        WriteEntry(zip, OutlineIconFile, outline);
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        using var stream = entry.Open();
        stream.Write(content);
    }
}
