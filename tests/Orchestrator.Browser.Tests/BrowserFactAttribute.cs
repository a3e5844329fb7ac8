namespace Orchestrator.Browser.Tests;

/// <summary>
/// A test that drives Debian's Chromium. Outside CI it is skipped, saying why, where Chromium is not installed; in CI
/// (<c>CI=true</c>, where <c>.ci/run</c> installs it) it always runs, and fails if the browser cannot start.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ci && !File.Exists(Chromium))
            Skip = $"{Chromium} is not installed (apt-get install -y chromium); with CI=true this test runs and fails instead.";
    }
}
