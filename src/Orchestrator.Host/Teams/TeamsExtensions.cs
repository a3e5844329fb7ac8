using System.Net;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Integration.AspNet.Core;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Host.Delivery;

namespace Orchestrator.Host.Teams;

/// <summary>The Bot Framework SDK's own configuration keys, as far as the host needs them.</summary>
internal sealed class TeamsOptions
{
    /// <summary>Empty for a local trial with the Bot Framework Emulator: no JWT validation, loopback callers only.</summary>
    public string? MicrosoftAppId { get; set; }

    public bool Authenticated => !string.IsNullOrWhiteSpace(MicrosoftAppId);
}

internal static partial class TeamsExtensions
{
    public const string MessagesPath = "/api/messages";

    public static IServiceCollection AddTeamsChannel(this IServiceCollection services, IConfiguration configuration)
    {
        // The SDK reads MicrosoftAppId & co. from the configuration root, so the options follow the same keys.
        services.AddOptions<TeamsOptions>().Configure(o => o.MicrosoftAppId = configuration["MicrosoftAppId"]);
        services.AddSingleton<BotFrameworkAuthentication>(sp => new ConfigurationBotFrameworkAuthentication(
            configuration,
            httpClientFactory: sp.GetService<IHttpClientFactory>(),
            logger: sp.GetRequiredService<ILogger<ConfigurationBotFrameworkAuthentication>>()));
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<CloudAdapter>>();
            return new CloudAdapter(sp.GetRequiredService<BotFrameworkAuthentication>(), logger)
            {
                OnTurnError = (turn, ex) =>
                {
                    LogTurnFailed(logger, ex, turn.Activity?.Type, turn.Activity?.Id);
                    return Task.CompletedTask;
                },
            };
        });
        services.AddSingleton<TeamsConversations>();
        services.TryAddSingleton<ChannelRouter>();
        services.AddSingleton<TeamsBot>();
        services.AddSingleton<IOutboxHandler, TeamsOutboxHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapTeams(this IEndpointRouteBuilder app)
    {
        app.MapPost(MessagesPath, async (HttpContext context, CloudAdapter adapter, TeamsBot bot, IOptions<TeamsOptions> options) =>
        {
            // Without an app id nothing is authenticated, so only this machine (the Emulator) may call: otherwise anyone
            // could make the bot send requests to a serviceUrl of their choosing.
            if (!options.Value.Authenticated && !IsLocalCaller(context))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("MicrosoftAppId is not set, so only loopback callers are accepted.");
                return;
            }
            try
            {
                await adapter.ProcessAsync(context.Request, context.Response, bot, context.RequestAborted);
            }
            catch (ArgumentException) when (context.Request.Headers.Authorization.Count > 0 && !context.Response.HasStarted)
            {
                // The SDK answers a missing token with 401 but lets a malformed one escape as an ArgumentException;
                // turn errors never get here (OnTurnError handles them), so this is the token.
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }
            catch (Exception ex) when (ex is ArgumentException or UriFormatException && !context.Response.HasStarted)
            {
                // An activity without a usable serviceUrl fails inside the SDK before any turn begins: a malformed request.
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
            }
        });
        return app;
    }

    /// <summary>
    /// A loopback caller that is not a local reverse proxy or tunnel (ngrok and the like connect from loopback too, but
    /// announce the real caller in forwarding headers).
    /// </summary>
    private static bool IsLocalCaller(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (!IPAddress.IsLoopback(address)) return false;
        var headers = context.Request.Headers;
        return !headers.ContainsKey("X-Forwarded-For") && !headers.ContainsKey("Forwarded");
    }

    [LoggerMessage(LogLevel.Error, "A Teams turn failed ({ActivityType} {ActivityId})")]
    private static partial void LogTurnFailed(ILogger logger, Exception ex, string? activityType, string? activityId);
}
