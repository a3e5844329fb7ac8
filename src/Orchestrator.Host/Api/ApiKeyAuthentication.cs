using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Orchestrator.Host.Api;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> against the hashed keys in the store. A missing, unknown or revoked key gets
/// 401 with <c>WWW-Authenticate: Bearer</c> and a problem-details body that says which of the three it was.
/// </summary>
internal static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";
    public const string Policy = "api";

    /// <summary>The claim holding the system a key acts as (<c>jira</c>), bound when the key was created.</summary>
    public const string SystemClaim = "orchestrator:system";

    /// <summary>The system the caller's key acts as.</summary>
    public static string SystemOf(ClaimsPrincipal user) =>
        user.FindFirst(SystemClaim)?.Value ?? throw new InvalidOperationException("The API was called without an authenticated key.");
}

internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return Task.FromResult(AuthenticateResult.NoResult());
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header must read 'Bearer <key>'."));

        var key = keys.Find(header["Bearer ".Length..].Trim());
        if (key is null) return Task.FromResult(AuthenticateResult.Fail("The API key is not known."));
        if (key.IsRevoked) return Task.FromResult(AuthenticateResult.Fail($"The API key '{key.Name}' was revoked."));

        keys.Touch(key, time.GetUtcNow());
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, key.Name), new Claim(ApiKeyDefaults.SystemClaim, key.System)], ApiKeyDefaults.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyDefaults.Scheme)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var failure = result.Failure?.Message;
        // RFC 6750: no error code when no credentials were sent at all.
        Response.Headers.WWWAuthenticate = failure is null
            ? "Bearer"
            : $"Bearer error=\"invalid_token\", error_description=\"{failure.Replace("\"", "'", StringComparison.Ordinal)}\"";
        await TypedResults.Problem(
            title: "Unauthorized",
            detail: failure ?? "Send an API key as 'Authorization: Bearer <key>'. An admin creates one with 'apikey create <name> --system <system>'.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }
}
