using Microsoft.Extensions.Options;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Webhooks;

internal sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Key of the HMAC-SHA256 signature every delivery carries; required once any definition has a webhook.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>How long one delivery may take before it counts as failed and is retried.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Unsigned deliveries would teach receivers to accept anything, so the host refuses to start when a loaded definition
/// sends webhooks and no signing secret is set. Runs at start, after the definitions are loaded.
/// </summary>
internal sealed class WebhookOptionsValidation(Catalog catalog) : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
            return ValidateOptionsResult.Fail("Webhooks:Timeout must be between 00:00:00.001 and 00:05:00.");
        var senders = catalog.Definitions.Where(d => d.Webhook is not null).Select(d => d.Id).ToList();
        if (senders.Count > 0 && string.IsNullOrEmpty(options.SigningSecret))
            return ValidateOptionsResult.Fail(
                $"Webhooks:SigningSecret is not set, but {string.Join(", ", senders)} send{(senders.Count == 1 ? "s" : "")} webhooks. " +
                "Set it (environment variable Webhooks__SigningSecret) to a long random string and give it to the receivers so they can verify X-Orchestrator-Signature.");
        return ValidateOptionsResult.Success;
    }
}
