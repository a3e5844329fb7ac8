using Microsoft.Extensions.Options;

namespace Orchestrator.Host.Slack;

internal static class SlackServiceCollectionExtensions
{
    /// <summary>Binds <see cref="SlackOptions"/> from <c>Slack:*</c> and registers <see cref="ISlackApi"/> as a typed HttpClient.</summary>
    public static IServiceCollection AddSlackApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SlackOptions>()
            .Bind(configuration.GetSection(SlackOptions.SectionName))
            .Validate(
                o => Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp),
                "Slack:ApiBaseUrl must be an absolute http(s) URL, e.g. https://slack.com/api/")
            .Validate(o => o.ApiTimeout > TimeSpan.Zero, "Slack:ApiTimeout must be positive, e.g. 00:00:10")
            .ValidateOnStart();

        services.AddHttpClient<ISlackApi, SlackApiClient>((provider, http) =>
        {
            var options = provider.GetRequiredService<IOptions<SlackOptions>>().Value;
            var baseUrl = options.ApiBaseUrl;
            // Without the trailing slash a relative "chat.postMessage" would replace the base's last segment.
            http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
            http.Timeout = options.ApiTimeout;
        })
        // Long-lived singletons (the outbox handler) hold this client, so the handler must never be rotated away;
        // the pooled connection lifetime still picks up DNS changes.
        .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return services;
    }
}
