using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Teams;

namespace Orchestrator.Host.Playground;

/// <summary>
/// <c>/playground</c>: chat with the bot in a browser as anyone in the directory, through the Teams code path, with the
/// Bot Connector played by the host itself. It acts as anyone without signing in, so only this machine may use it.
/// </summary>
internal static partial class PlaygroundExtensions
{
    public const string PagePath = "/playground";

    /// <summary>A page request is small: a typed message or a card's inputs.</summary>
    private const long PageBodyLimit = 64 * 1024;

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["playground.js"] = "text/javascript; charset=utf-8",
        ["playground.css"] = "text/css; charset=utf-8",
        ["adaptivecards.min.js"] = "text/javascript; charset=utf-8",
        ["adaptivecards.css"] = "text/css; charset=utf-8",
        ["adaptivecards.LICENSE.txt"] = "text/plain; charset=utf-8",
    };

    public static IServiceCollection AddPlayground(this IServiceCollection services)
    {
        services.AddOptions<PlaygroundOptions>().BindConfiguration(PlaygroundOptions.Section).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<PlaygroundOptions>, PlaygroundDefaults>();
        services.AddSingleton<IValidateOptions<PlaygroundOptions>, PlaygroundOptionsValidator>();
        services.AddSingleton<PlaygroundConnector>();
        services.AddSingleton<PlaygroundChannel>();
        services.AddHttpClient(PlaygroundChannel.Client);
        return services;
    }

    public static IEndpointRouteBuilder MapPlayground(this IEndpointRouteBuilder app)
    {
        var playground = app.MapGroup(PagePath).AddEndpointFilter(Guard).WithBodyLimit(PageBodyLimit).ExcludeFromDescription();
        playground.MapGet("", (HttpContext context) =>
        {
            // Everything the page loads is its own; Adaptive Cards set inline styles on what they render.
            context.Response.Headers.ContentSecurityPolicy =
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
            return Asset("index.html", "text/html; charset=utf-8");
        });
        playground.MapGet("/assets/{name}", (string name) =>
            Assets.TryGetValue(name, out var type) ? Asset(name, type) : PlaygroundChannel.Problem(404, $"No playground asset '{name}'."));
        playground.MapPost("/join", (HttpContext context, PlaygroundChannel channel) => channel.JoinAsync(context));
        playground.MapPost("/messages", (HttpContext context, PlaygroundChannel channel) => channel.SayAsync(context));
        playground.MapPost("/actions", (HttpContext context, PlaygroundChannel channel) => channel.ClickAsync(context));
        playground.MapGet("/transcript", (string? person, PlaygroundChannel channel, PlaygroundConnector connector) =>
            channel.PersonOf(person) is { } email ? Results.Json(connector.Transcript(email)) : UnknownPerson(person));
        playground.MapGet("/events", (string? person, PlaygroundChannel channel, PlaygroundConnector connector, IHostApplicationLifetime lifetime, HttpContext context) =>
            channel.PersonOf(person) is { } email
                ? TypedResults.ServerSentEvents(Changes(connector, email, context.RequestAborted, lifetime.ApplicationStopping))
                : UnknownPerson(person));

        var connectorGroup = app.MapGroup(PlaygroundConnector.Path.TrimEnd('/')).AddEndpointFilter(Guard)
            .WithBodyLimit(TeamsExtensions.MaxActivityBytes).ExcludeFromDescription();
        app.ServiceProvider.GetRequiredService<PlaygroundConnector>().Map(connectorGroup);

        var logger = app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PlaygroundExtensions));
        if (app.ServiceProvider.GetRequiredService<IOptions<PlaygroundOptions>>().Value.On) LogOn(logger, PagePath);
        else LogOff(logger);
        return app;
    }

    /// <summary>The person's chat whenever it changes, the first time at once.</summary>
    private static async IAsyncEnumerable<SseItem<PlaygroundTranscript>> Changes(PlaygroundConnector connector, string email,
        CancellationToken aborted, CancellationToken stopping, [EnumeratorCancellation] CancellationToken enumeration = default)
    {
        // Open streams must not hold up the host's shutdown.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping, enumeration);
        var cancellationToken = stop.Token;
        long sent = -1;
        while (!cancellationToken.IsCancellationRequested)
        {
            var changed = connector.Changed;
            var transcript = connector.Transcript(email);
            if (transcript.Version != sent)
            {
                sent = transcript.Version;
                yield return new SseItem<PlaygroundTranscript>(transcript, "transcript");
            }
            await changed.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static IResult UnknownPerson(string? person) =>
        PlaygroundChannel.Problem(400, $"'{person}' is not a person in the directory; pass person=<email> of one.");

    /// <summary>
    /// Off: a 404 that says how to turn it on. On: this machine only (the rule of <c>/api/messages</c> without an app id), and
    /// only under a loopback name, so that a web page whose name was rebound to 127.0.0.1 cannot drive it from a browser;
    /// posts must be JSON, which a page of another origin cannot send without asking first.
    /// </summary>
    private static async ValueTask<object?> Guard(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (!context.RequestServices.GetRequiredService<IOptions<PlaygroundOptions>>().Value.On)
            return PlaygroundChannel.Problem(404, "The playground is off: it is on by default only when neither Slack nor MicrosoftAppId is configured. "
                + "Set Playground:Enabled=true (Playground__Enabled=true) to turn it on.");
        if (!TeamsExtensions.IsLocalCaller(context))
            return PlaygroundChannel.Problem(403, "The playground serves this machine only: it lets anyone act as anyone in the directory without signing in. "
                + "Open it in a browser on the host itself, e.g. at http://localhost:5080/playground, through no proxy or tunnel.");
        if (!IsLoopbackName(context.Request.Host.Host))
            return PlaygroundChannel.Problem(403, $"The playground answers only at localhost, 127.0.0.1 or [::1], not at '{context.Request.Host.Host}'.");
        if (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method))
        {
            if (!context.Request.HasJsonContentType())
                return PlaygroundChannel.Problem(415, "The playground takes JSON bodies only (Content-Type: application/json).");
            if (context.Request.Headers.Origin is [{ } origin] && !(Uri.TryCreate(origin, UriKind.Absolute, out var from) && IsLoopbackName(from.Host)))
                return PlaygroundChannel.Problem(403, $"The playground takes requests from its own page only, not from {origin}.");
        }
        return await next(invocation);
    }

    private static bool IsLoopbackName(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);

    private static IResult Asset(string name, string contentType)
    {
        var stream = typeof(PlaygroundExtensions).Assembly.GetManifestResourceStream($"Playground.{name}")
            ?? throw new InvalidOperationException($"The playground asset {name} is not embedded in the host.");
        return Results.Stream(stream, contentType);
    }

    [LoggerMessage(LogLevel.Information, "Playground: on at {Path} for this machine only: chat as anyone in the directory, through the Teams code path")]
    private static partial void LogOn(ILogger logger, string path);

    [LoggerMessage(LogLevel.Information, "Playground: off; Playground__Enabled=true turns it on (it is on by default only without Slack and MicrosoftAppId)")]
    private static partial void LogOff(ILogger logger);
}
