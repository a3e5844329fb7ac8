using Microsoft.AspNetCore.Authentication;
using Microsoft.OpenApi;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Api;

internal static class ApiExtensions
{
    /// <summary>The HTTP API's services: API-key authentication, problem details and the OpenAPI document.</summary>
    public static IServiceCollection AddHttpApi(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ApiKeyStore(sp.GetRequiredService<IApiKeyRows>()));
        services.AddSingleton<IApiKeyAdmin, ApiKeyAdmin>();
        // No default scheme: only /api/v1 asks for a key, so chat endpoints never pay for a look-up.
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiKeyDefaults.Policy, policy => policy
            .AddAuthenticationSchemes(ApiKeyDefaults.Scheme)
            .RequireAuthenticatedUser());
        services.AddProblemDetails();
        // Two "requester"s (or "amount" and "AMOUNT", which case-insensitive binding reads as one) must not silently collapse into one value.
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.AllowDuplicateProperties = false);
        services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Orchestrator API";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key made with 'apikey create <name> --system <system>' (it acts as that system), sent as 'Authorization: Bearer orc_…'.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return services;
    }
}
