using Microsoft.Extensions.Options;
using Orchestrator.Host.Delivery;

namespace Orchestrator.Host.Webhooks;

internal static class WebhookExtensions
{
    /// <summary>Outbound webhooks: options checked at start, the signed-POST handler, and a dispatcher lane of their own.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidation>();
        services.AddHttpClient(WebhookOutboxHandler.Client, (sp, http) => http.Timeout = sp.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false });
        services.AddSingleton<IOutboxHandler, WebhookOutboxHandler>();
        // Added as a plain IHostedService: AddHostedService would take it for the chat dispatcher (same type) and drop it.
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<OutboxDispatcher>(sp, OutboxLane.Webhooks));
        return services;
    }
}
