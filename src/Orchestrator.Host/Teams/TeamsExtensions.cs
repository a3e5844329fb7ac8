using System.Net;
using Microsoft.Bot.Builder;
using Microsoft.Bot.Builder.Integration.AspNet.Core;
using Microsoft.Bot.Connector.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Orchestrator.Host.Cards;
using Orchestrator.Host.Delivery;

namespace Orchestrator.Host.Teams;

/// <summary>The Bot Framework SDK's own configuration keys, as far as the host needs them.</summary>
internal sealed class TeamsOptions
{
    public const string SingleTenant = "SingleTenant";
    public const string UserAssignedMsi = "UserAssignedMSI";
    public const string MultiTenant = "MultiTenant";

    /// <summary>Empty for a local trial with the Bot Framework Emulator: no JWT validation, loopback callers only.</summary>
    public string? MicrosoftAppId { get; set; }
    public string? MicrosoftAppPassword { get; set; }
    public string? MicrosoftAppTenantId { get; set; }
    public string? MicrosoftAppType { get; set; }

    public bool Authenticated => !string.IsNullOrWhiteSpace(MicrosoftAppId);

    /// <summary>
    /// What is wrong with the combination of keys, or null. The SDK (4.23.1, ConfigurationServiceClientCredentialFactory)
    /// reads an unknown MicrosoftAppType as MultiTenant and ignores the tenant then, and only throws about a missing key
    /// when the first activity arrives; the host says it at start instead.
    /// </summary>
    public string? Problem()
    {
        var type = MicrosoftAppType?.Trim();
        var hasPassword = !string.IsNullOrWhiteSpace(MicrosoftAppPassword);
        var hasTenant = !string.IsNullOrWhiteSpace(MicrosoftAppTenantId);
        string[] known = [SingleTenant, UserAssignedMsi, MultiTenant];
        if (!string.IsNullOrEmpty(type) && !known.Contains(type, StringComparer.OrdinalIgnoreCase))
            return $"MicrosoftAppType '{type}' is not one the Bot Framework SDK knows. Use {SingleTenant} (with MicrosoftAppTenantId and MicrosoftAppPassword) "
                + $"or {UserAssignedMsi} (with MicrosoftAppTenantId and no password); {MultiTenant} only for a bot registered before 31 July 2025.";
        if (!Authenticated)
        {
            var stray = new[] { ("MicrosoftAppType", !string.IsNullOrEmpty(type)), ("MicrosoftAppPassword", hasPassword), ("MicrosoftAppTenantId", hasTenant) }
                .Where(k => k.Item2).Select(k => k.Item1).ToList();
            return stray.Count == 0 ? null
                : $"{string.Join(" and ", stray)} {(stray.Count == 1 ? "is" : "are")} set but MicrosoftAppId is not: set MicrosoftAppId to the bot's Microsoft App ID "
                  + "(or remove the other keys for a local trial with the Bot Framework Emulator).";
        }
        if (string.Equals(type, SingleTenant, StringComparison.OrdinalIgnoreCase))
        {
            if (!hasTenant) return "MicrosoftAppType is SingleTenant but MicrosoftAppTenantId is not set: set it to the directory (tenant) id the bot is registered in (Azure portal, the bot's app registration, Overview).";
            if (!hasPassword) return "MicrosoftAppType is SingleTenant but MicrosoftAppPassword is not set: set it to a client secret of the bot's app registration.";
            return null;
        }
        if (string.Equals(type, UserAssignedMsi, StringComparison.OrdinalIgnoreCase))
        {
            if (!hasTenant) return "MicrosoftAppType is UserAssignedMSI but MicrosoftAppTenantId is not set: set it to the tenant of the managed identity.";
            if (hasPassword) return "MicrosoftAppType is UserAssignedMSI, so MicrosoftAppPassword must not be set: the managed identity gets the tokens. MicrosoftAppId is the identity's client id.";
            return null;
        }
        if (hasTenant)
            return "MicrosoftAppTenantId is set but MicrosoftAppType is not SingleTenant or UserAssignedMSI, so the SDK would treat the bot as MultiTenant and ignore the tenant. "
                + "Bots registered since 31 July 2025 are single-tenant: set MicrosoftAppType=SingleTenant.";
        if (!hasPassword) return "MicrosoftAppId is set without MicrosoftAppPassword: set the client secret of the bot's app registration (or MicrosoftAppType=UserAssignedMSI with MicrosoftAppTenantId for a managed identity).";
        return null;
    }
}

internal static partial class TeamsExtensions
{
    public const string MessagesPath = "/api/messages";

    /// <summary>Largest activity accepted: Teams' activities are a few KB, and even a big form submission stays well below this.</summary>
    public const int MaxActivityBytes = 256 * 1024;

    public static IServiceCollection AddTeamsChannel(this IServiceCollection services, IConfiguration configuration)
    {
        // The SDK reads MicrosoftAppId & co. from the configuration root, so the options follow the same keys.
        services.AddOptions<TeamsOptions>()
            .Configure(o =>
            {
                o.MicrosoftAppId = configuration["MicrosoftAppId"];
                o.MicrosoftAppPassword = configuration["MicrosoftAppPassword"];
                o.MicrosoftAppTenantId = configuration["MicrosoftAppTenantId"];
                o.MicrosoftAppType = configuration["MicrosoftAppType"];
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TeamsOptions>, TeamsOptionsValidator>();
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
        services.TryAddSingleton<CardActions>();
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
                await Refuse(context, StatusCodes.Status401Unauthorized, "MicrosoftAppId is not set, so only loopback callers are accepted.");
                return;
            }
            // The Bot Connector always signs its calls; a request without a token is not worth reading.
            if (options.Value.Authenticated && !HasBearerToken(context.Request))
            {
                await Refuse(context, StatusCodes.Status401Unauthorized, "A Bot Framework bearer token is required.");
                return;
            }
            if (await ReadBoundedAsync(context.Request, context.RequestAborted) is not { } body)
            {
                await Refuse(context, StatusCodes.Status413PayloadTooLarge, $"An activity may be at most {MaxActivityBytes / 1024} KB; nothing was processed.");
                return;
            }
            context.Request.Body = body;
            try
            {
                await adapter.ProcessAsync(context.Request, context.Response, bot, context.RequestAborted);
            }
            catch (SecurityTokenException) when (!context.Response.HasStarted)
            {
                // A token signed with an unknown key or a wrong signature: the SDK turns only some token failures into 401.
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
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

    private static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString() is var header
        && header.StartsWith("Bearer ", StringComparison.Ordinal)
        && header.Length > "Bearer ".Length;

    /// <summary>
    /// The body, read into memory only up to <see cref="MaxActivityBytes"/>: null when it is longer (announced or not), so that
    /// an oversized activity costs at most that much before it is refused.
    /// </summary>
    private static async Task<MemoryStream?> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxActivityBytes) return null;
        var buffer = new MemoryStream((int)(request.ContentLength ?? 4096));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxActivityBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        return buffer;
    }

    private static async Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(message);
    }

    /// <summary>
    /// A loopback caller that is not a local reverse proxy or tunnel (ngrok and the like connect from loopback too, but
    /// announce the real caller in forwarding headers).
    /// </summary>
    internal static bool IsLocalCaller(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (!IPAddress.IsLoopback(address)) return false;
        var headers = context.Request.Headers;
        return !ProxyHeaders.Any(headers.ContainsKey);
    }

    /// <summary>Headers by which proxies, tunnels and CDNs name the caller they forward for.</summary>
    private static readonly string[] ProxyHeaders =
        ["X-Forwarded-For", "Forwarded", "X-Real-IP", "True-Client-IP", "CF-Connecting-IP", "X-Original-For"];

    [LoggerMessage(LogLevel.Error, "A Teams turn failed ({ActivityType} {ActivityId})")]
    private static partial void LogTurnFailed(ILogger logger, Exception ex, string? activityType, string? activityId);
}

internal sealed class TeamsOptionsValidator : IValidateOptions<TeamsOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
