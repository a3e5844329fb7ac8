using Microsoft.Extensions.Options;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Teams;

namespace Orchestrator.Host.Hosting;

/// <summary>Says at start which channels are on, where the store is, and how to turn on what is off.</summary>
internal sealed partial class StartupReport(IOptions<SlackOptions> slack, IOptions<TeamsOptions> teams, IStoreInfo store, ILogger<StartupReport> logger)
{
    public void Log()
    {
        LogStore(store.Provider, store.Location);
        if (string.IsNullOrWhiteSpace(slack.Value.BotToken) || string.IsNullOrWhiteSpace(slack.Value.SigningSecret))
            LogSlackOff();
        else
            LogSlackOn(slack.Value.ApiBaseUrl);
        if (teams.Value.Authenticated)
            LogTeamsOn(teams.Value.MicrosoftAppId!, string.IsNullOrWhiteSpace(teams.Value.MicrosoftAppType) ? TeamsOptions.MultiTenant : teams.Value.MicrosoftAppType);
        else
            LogTeamsLocal();
    }

    [LoggerMessage(LogLevel.Information, "Teams: on for app {AppId} ({AppType}); Bot Framework activities at /api/messages with JWT validation")]
    private partial void LogTeamsOn(string appId, string appType);

    [LoggerMessage(LogLevel.Warning, "Teams: local trial only (no MicrosoftAppId): /api/messages accepts loopback callers such as the Bot Framework Emulator. For Teams, set MicrosoftAppType=SingleTenant, MicrosoftAppId, MicrosoftAppTenantId and MicrosoftAppPassword (or UserAssignedMSI without a password)")]
    private partial void LogTeamsLocal();

    [LoggerMessage(LogLevel.Information, "Store: {Provider} at {Location}")]
    private partial void LogStore(string provider, string location);

    [LoggerMessage(LogLevel.Information, "Slack: on (Web API {ApiBaseUrl}); endpoints /slack/commands, /slack/interactions, /slack/events")]
    private partial void LogSlackOn(string apiBaseUrl);

    [LoggerMessage(LogLevel.Warning, "Slack: off. To turn it on, create the app from manifests/slack/manifest.yaml and set Slack__BotToken (xoxb-…) and Slack__SigningSecret (environment) or Slack:BotToken and Slack:SigningSecret (appsettings.json)")]
    private partial void LogSlackOff();
}
