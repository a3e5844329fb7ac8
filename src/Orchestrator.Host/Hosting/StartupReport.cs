using Microsoft.Extensions.Options;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Hosting;

/// <summary>Says at start which channels are on, where the store is, and how to turn on what is off.</summary>
internal sealed partial class StartupReport(IOptions<SlackOptions> slack, LiteDbStore store, ILogger<StartupReport> logger)
{
    public void Log()
    {
        LogStore(store.Path);
        if (string.IsNullOrWhiteSpace(slack.Value.BotToken) || string.IsNullOrWhiteSpace(slack.Value.SigningSecret))
            LogSlackOff();
        else
            LogSlackOn(slack.Value.ApiBaseUrl);
    }

    [LoggerMessage(LogLevel.Information, "Store: LiteDB file {Path}")]
    private partial void LogStore(string path);

    [LoggerMessage(LogLevel.Information, "Slack: on (Web API {ApiBaseUrl}); endpoints /slack/commands, /slack/interactions, /slack/events")]
    private partial void LogSlackOn(string apiBaseUrl);

    [LoggerMessage(LogLevel.Warning, "Slack: off. To turn it on, create the app from manifests/slack/manifest.yaml and set Slack__BotToken (xoxb-…) and Slack__SigningSecret (environment) or Slack:BotToken and Slack:SigningSecret (appsettings.json)")]
    private partial void LogSlackOff();
}
