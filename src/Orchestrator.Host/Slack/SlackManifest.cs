namespace Orchestrator.Host.Slack;

/// <summary>Fills the host's public URL into the Slack app manifest template.</summary>
internal static class SlackManifest
{
    public const string BaseUrlPlaceholder = "{{BASE_URL}}";

    public static string Render(string manifestYaml, string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
            throw new ArgumentException(
                $"'{baseUrl}' is not a public base URL: Slack needs an absolute https URL (http only for localhost).",
                nameof(baseUrl));
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new ArgumentException($"'{baseUrl}' must not carry a query or fragment: paths are appended to it.", nameof(baseUrl));

        return manifestYaml.Replace(BaseUrlPlaceholder, baseUrl.TrimEnd('/'), StringComparison.Ordinal);
    }
}
