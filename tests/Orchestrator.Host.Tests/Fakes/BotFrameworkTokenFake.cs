using System.Collections.Concurrent;
using System.IdentityModel.Tokens.Jwt;
using System.Reflection;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Orchestrator.Host.Tests.Fakes;

/// <summary>
/// What the Bot Framework SDK checks a Bot Connector token against, on a loopback listener: the OpenID metadata document
/// and its signing keys (each with the channels it endorses). Mints tokens as the Bot Connector signs them, or forged ones.
/// </summary>
internal sealed class BotFrameworkTokenFake : IAsyncDisposable
{
    public const string Issuer = "https://api.botframework.com";
    public const string KeyId = "bot-connector-test-key";

    private readonly RSA _key = RSA.Create(2048);
    private WebApplication? _app;
    private int _port;

    public string MetadataUrl => $"http://127.0.0.1:{_port}/v1/.well-known/openidconfiguration";

    public static async Task<BotFrameworkTokenFake> StartNew()
    {
        var fake = new BotFrameworkTokenFake();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/v1/.well-known/openidconfiguration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = $"http://127.0.0.1:{fake._port}/v1/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/v1/keys", () =>
        {
            var parameters = fake._key.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new
                    {
                        kty = "RSA", use = "sig", kid = KeyId,
                        n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent),
                        endorsements = new[] { "msteams" },
                    },
                },
            });
        });
        await app.StartAsync();
        fake._port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
        fake._app = app;
        fake.LetTheSdkReadTheKeysOverHttp();
        return fake;
    }

    /// <summary>The host's settings for a bot with this app id whose tokens are checked against this fake (public cloud otherwise).</summary>
    public Dictionary<string, string?> Settings(string appId) => new()
    {
        ["MicrosoftAppId"] = appId,
        ["MicrosoftAppPassword"] = "not-a-real-secret",
        // Naming one endpoint makes the SDK take all of them from configuration, so the rest are the public cloud's.
        ["ToBotFromChannelOpenIdMetadataUrl"] = MetadataUrl,
        ["ToBotFromChannelTokenIssuer"] = Issuer,
        ["ToBotFromEmulatorOpenIdMetadataUrl"] = "https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration",
        ["ToChannelFromBotLoginUrl"] = "https://login.microsoftonline.com/botframework.com",
        ["ToChannelFromBotOAuthScope"] = "https://api.botframework.com",
        ["OAuthUrl"] = "https://api.botframework.com",
        ["CallerId"] = "urn:botframework:azure",
    };

    /// <summary>A token as the Bot Connector sends it to the bot <paramref name="appId"/>; another key id or key makes a forgery.</summary>
    public string Token(string appId, Uri serviceUrl, string keyId = KeyId, RSA? signWith = null)
    {
        var key = new RsaSecurityKey(signWith ?? _key) { KeyId = keyId };
        var now = DateTime.UtcNow;
        var token = new JwtSecurityToken(
            Issuer,
            appId,
            [new Claim("serviceurl", serviceUrl.ToString())],
            notBefore: now.AddMinutes(-1),
            expires: now.AddHours(1),
            signingCredentials: new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    /// <summary>
    /// The SDK fetches the metadata with its own static HttpClient and insists on HTTPS, which a loopback fake cannot offer
    /// without a trusted certificate. It keeps one configuration manager per metadata URL in a static cache; seeding that
    /// cache for this fake's URL with a retriever that allows plain HTTP is the only change to what the SDK does.
    /// </summary>
    private void LetTheSdkReadTheKeysOverHttp()
    {
        var extractor = Type.GetType("Microsoft.Bot.Connector.Authentication.JwtTokenExtractor, Microsoft.Bot.Connector", throwOnError: true)!;
        var cache = (ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>>)extractor
            .GetField("_openIdMetadataCache", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        cache[MetadataUrl] = new ConfigurationManager<OpenIdConnectConfiguration>(
            MetadataUrl, new OpenIdConnectConfigurationRetriever(), new HttpDocumentRetriever { RequireHttps = false });
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app) await app.DisposeAsync();
        _key.Dispose();
    }
}
