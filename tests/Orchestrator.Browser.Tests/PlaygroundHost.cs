using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace Orchestrator.Browser.Tests;

/// <summary>
/// The real host as a first run has it (no Slack, no MicrosoftAppId, so the playground is on), on a real loopback port for
/// the browser, with the sample workflows and directory and a store in a temporary folder; and Chromium to look at it.
/// </summary>
public sealed class PlaygroundHost : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-browser").FullName;
    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;

    public Uri BaseUrl { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The tests are skipped then (BrowserFactAttribute); starting nothing keeps the skip quick.
        if (new BrowserFactAttribute().Skip is not null) return;
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Path"] = Path.Combine(_folder, "orchestrator.db"),
            ["Workflows:Path"] = Path.Combine(Repo.Root, "manifests", "workflows"),
            ["Directory:Path"] = Path.Combine(Repo.Root, "manifests", "directory.yaml"),
            ["Delivery:FirstRetryDelay"] = "00:00:00.200",
            ["Delivery:SweepInterval"] = "00:00:00.100",
            // Any server the factory starts besides the one UseKestrel names would take Kestrel's default 5000 otherwise.
            ["urls"] = "http://127.0.0.1:0",
        };
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.UseEnvironment("Development");
        });
        _factory.UseKestrel(0);
        using var client = _factory.CreateClient();
        BaseUrl = client.BaseAddress!;

        _playwright = await Playwright.CreateAsync();
        try
        {
            Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = BrowserFactAttribute.Chromium, Headless = true });
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException(
                $"Chromium did not start from {BrowserFactAttribute.Chromium} (install it with apt-get install -y chromium; .ci/run does): {e.Message}", e);
        }
    }

    /// <summary>A fresh page at the host, with generous waits: the machine may be slow.</summary>
    public async Task<IPage> NewPage()
    {
        var page = await Browser.NewPageAsync(new() { BaseURL = BaseUrl.ToString(), ViewportSize = new() { Width = 1000, Height = 900 } });
        page.SetDefaultTimeout(60_000);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}
