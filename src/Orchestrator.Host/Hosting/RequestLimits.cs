using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Orchestrator.Host.Hosting;

/// <summary>
/// How large a request body may be. Kestrel enforces each limit while the body is read (an endpoint's
/// <see cref="RequestSizeLimitAttribute"/> sets its <c>IHttpMaxRequestBodySizeFeature</c>), so nothing larger is ever
/// buffered; the endpoint filter turns an oversized body into a 413 that says so, before anything is parsed or recorded.
/// </summary>
internal static class RequestLimits
{
    /// <summary>Any endpoint without a limit of its own (Kestrel's default is 30 MB).</summary>
    public const long Global = 1024 * 1024;

    /// <summary>Slack's own payloads: a few hundred KB at most, even a modal full of long inputs.</summary>
    public const long Slack = 512 * 1024;

    /// <summary>An HTTP API call: a start with every input at its longest, or a comment, fits many times over.</summary>
    public const long Api = 1024 * 1024;

    public static IServiceCollection AddRequestLimits(this IServiceCollection services) =>
        services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = Global);

    /// <summary>Bounds the bodies of every endpoint in <paramref name="builder"/> to <paramref name="bytes"/>.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequestSizeLimitAttribute(bytes));
        builder.AddEndpointFilter(async (context, next) =>
        {
            // A declared length over the limit is refused unread; a longer body than declared (or a chunked one) makes
            // Kestrel throw while the endpoint reads it.
            if (context.HttpContext.Request.ContentLength > bytes) return TooLarge(bytes);
            try
            {
                return await next(context);
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return TooLarge(bytes);
            }
        });
        return builder;
    }

    private static IResult TooLarge(long bytes) => Results.Problem(
        $"The request body is larger than {bytes / 1024:N0} KB, the most this endpoint takes. Nothing was recorded.",
        title: "Request body too large",
        statusCode: StatusCodes.Status413PayloadTooLarge);
}
