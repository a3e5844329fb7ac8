using Microsoft.Extensions.Options;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Teams;

namespace Orchestrator.Host.Playground;

/// <summary><c>Playground:*</c>: the browser trial at <c>/playground</c>.</summary>
internal sealed class PlaygroundOptions
{
    public const string Section = "Playground";

    /// <summary>Unset: on when neither Slack nor <c>MicrosoftAppId</c> is configured, so a first run can be tried at once.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Whether the playground is on, once the default has been applied.</summary>
    public bool On => Enabled == true;
}

/// <summary>Turns the playground on by default only where no real chat platform is configured.</summary>
internal sealed class PlaygroundDefaults(IOptions<SlackOptions> slack, IOptions<TeamsOptions> teams) : IPostConfigureOptions<PlaygroundOptions>
{
    public void PostConfigure(string? name, PlaygroundOptions options)
    {
        var slackOn = !string.IsNullOrWhiteSpace(slack.Value.BotToken) && !string.IsNullOrWhiteSpace(slack.Value.SigningSecret);
        options.Enabled ??= !slackOn && !teams.Value.Authenticated;
    }
}

internal sealed class PlaygroundOptionsValidator(IOptions<TeamsOptions> teams) : IValidateOptions<PlaygroundOptions>
{
    // The playground talks to /api/messages as the Bot Framework Emulator does, without tokens, which an app id forbids.
    public ValidateOptionsResult Validate(string? name, PlaygroundOptions options) =>
        options.On && teams.Value.Authenticated
            ? ValidateOptionsResult.Fail("Playground:Enabled is true but MicrosoftAppId is set: the playground talks to the bot without Bot Framework tokens, "
                + "which an app id forbids. Try the playground on a host without MicrosoftAppId, or set Playground:Enabled=false.")
            : ValidateOptionsResult.Success;
}
