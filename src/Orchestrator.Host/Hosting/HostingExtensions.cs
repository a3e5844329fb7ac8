using Prometheus;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Cards;
using Orchestrator.Host.Delivery;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Hosting;

internal static partial class HostingExtensions
{
    public static IServiceCollection AddOrchestratorCore(this IServiceCollection services)
    {
        services.AddOptions<WorkflowsOptions>().BindConfiguration(WorkflowsOptions.Section);
        services.AddOptions<DirectoryOptions>().BindConfiguration(DirectoryOptions.Section);
        services.AddOptions<OrchestratorOptions>().BindConfiguration(OrchestratorOptions.Section);
        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.Section)
            .Validate(o => o.TickSeconds is >= 1 and <= 3600, "Scheduler:TickSeconds must be between 1 and 3600.")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Catalog>();
        services.AddSingleton<CatalogLoader>();
        services.AddSingleton<ICatalogSource>(sp => sp.GetRequiredService<CatalogLoader>());
        services.AddSingleton<WorkflowEngine>();
        services.AddSingleton<CommandService>();
        services.AddSingleton<StartupReport>();
        return services;
    }

    /// <summary>
    /// The store <c>Storage:Provider</c> names (<c>litedb</c>, the default, or <c>postgres</c>), registered once under every
    /// port, so each consumer asks for the one it uses.
    /// </summary>
    public static IServiceCollection AddStore(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => o.Provider is StorageOptions.LiteDb or StorageOptions.Postgres,
                "Storage:Provider must be 'litedb' (the default: one process, one file) or 'postgres' (several hosts on one database).")
            .Validate(o => o.Provider != StorageOptions.LiteDb || !string.IsNullOrWhiteSpace(o.Path), "Storage:Path must name a file.")
            .Validate(o => o.Provider != StorageOptions.Postgres || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Storage:ConnectionString must be set when Storage:Provider is 'postgres' (e.g. Host=db;Database=orchestrator;Username=orchestrator;Password=...).")
            .Validate(o => o.Retention >= StorageOptions.ShortestRetention,
                "Storage:Retention must be at least 1.00:00:00 (a day): a finished request's record keeps Slack's retries from running it twice.")
            .ValidateOnStart();
        services.AddSingleton<HostIdentity>();
        services.AddSingleton<IStore>(sp => OpenStore(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value,
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IInstances>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<IInstanceStore>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<IOutbox>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<IInbox>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<ISlackIdentities>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<ITeamsMembers>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<ICards>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<IDigestMarks>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<IApiKeyRows>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<IAuditTrail>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<ICluster>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<IStoreInfo>(sp => sp.GetRequiredService<IStore>());
        services.AddSingleton<IDelegationStore>(sp => sp.GetRequiredService<IStore>().Delegations);
        return services;
    }

    private static IStore OpenStore(StorageOptions options, IConfiguration configuration, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Orchestrator.Host.Storage");
        if (options.Provider == StorageOptions.Postgres)
            return StoreProviders.OpenPostgres(options.ConnectionString!, time, logger, AuditKeyFor(null, configuration, logger));
        var path = Path.GetFullPath(options.Path);
        return StoreProviders.OpenLiteDb(path, time, loggers.CreateLogger("Orchestrator.Host.Storage.LiteDbStore"), AuditKeyFor(path, configuration, logger));
    }

    /// <summary>The audit key from configuration, else the one kept beside the store, else a new one: then said once, loudly.</summary>
    private static byte[] AuditKeyFor(string? storePath, IConfiguration configuration, ILogger logger)
    {
        if (storePath is null)
        {
            // A shared database has no folder of its own to keep a key in: every host must be given the same one.
            var configured = configuration[AuditKey.Setting];
            if (string.IsNullOrWhiteSpace(configured))
                throw new InvalidOperationException($"{AuditKey.Setting} must be set when Storage:Provider is 'postgres': every host keys the audit chain with the same key.");
            return AuditKey.Bytes(configured);
        }
        StoreFiles.Prepare(storePath);
        var (key, source, generated) = AuditKey.ForHost(configuration[AuditKey.Setting], storePath);
        if (generated is not null)
            LogAuditKeyGenerated(logger, source, generated);
        else if (source != "configuration")
            LogAuditKeyFromFile(logger, source);
        return key;
    }

    [LoggerMessage(LogLevel.Warning, "Audit:Key is not set, so one was generated and kept in {File}. Put it into configuration (Audit__Key={Key}) and move that file away from the store: whoever can write both the store and the key can rewrite the audit trail. This is the only time the key is printed.")]
    private static partial void LogAuditKeyGenerated(ILogger logger, string file, string key);

    [LoggerMessage(LogLevel.Warning, "Audit:Key is not set; the audit chain is keyed with the key kept in {File}. Put it into configuration and move the file away from the store.")]
    private static partial void LogAuditKeyFromFile(ILogger logger, string file);

    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section);
        services.AddSingleton<DeliveryFailures>();
        services.AddSingleton<Observability.OrchestratorMetrics>();
        services.TryAddSingleton<ChannelRouter>();
        services.AddSingleton<IOutboxHandler, UnreachableOutboxHandler>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }

    public static IServiceCollection AddSlackChannel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSlackApi(configuration);
        services.AddSingleton(sp => new SlackSignatureVerifier(
            sp.GetRequiredService<IOptions<SlackOptions>>().Value.SigningSecret ?? "", sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SlackPeople>();
        services.AddSingleton<SlackInbox>();
        services.AddSingleton<IOutboxHandler, SlackOutboxHandler>();
        // Answers to commands and clicks on a lane of their own: a backlog of cards never holds them up.
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<OutboxDispatcher>(sp, OutboxLane.Replies));
        services.TryAddSingleton<CardActions>();
        services.AddSingleton<SlackInboundProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<SlackInboundProcessor>());
        return services;
    }

    /// <summary><c>/metrics</c> in Prometheus' text format: requests started, decisions, nudges, escalations, deliveries.</summary>
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        // Resolving it subscribes it to the store before the first request can change anything.
        app.ServiceProvider.GetRequiredService<Observability.OrchestratorMetrics>();
        app.MapMetrics();
        return app;
    }

    /// <summary>The privacy and terms pages the Teams app manifest links to (Teams requires both).</summary>
    public static IEndpointRouteBuilder MapAbout(this IEndpointRouteBuilder app)
    {
        app.MapGet("/privacy", () => Results.Text("""
            Orchestrator — privacy

            This Orchestrator installation is run by your organisation. It stores, in one file on its own server: the
            requests people start and their inputs, who was asked to decide what and their answers with comments, the
            history of each request, and for each person their email, Slack user id, Teams conversation reference and
            time zone. It sends messages only to the people a workflow involves, through Slack and Microsoft Teams.
            Nothing is shared with anyone else. Ask your administrators to export or remove your data.
            """));
        app.MapGet("/terms", () => Results.Text("""
            Orchestrator — terms of use

            Use this bot for your organisation's approval workflows only, under your organisation's own policies.
            Your administrators decide which workflows run and who may act on them.
            """));
        return app;
    }

    /// <summary>
    /// The store out of reach while running (the database's connection lost): the request is answered 503 with
    /// <c>Retry-After</c> (Slack and Teams retry), nothing of it was kept (its transaction never committed), and work resumes
    /// when the store answers again.
    /// </summary>
    public static IApplicationBuilder UseStoreOutage(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (StoreErrors.IsStoreFailure(e) && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Orchestrator.Host.Storage").LogStoreOutage(e, context.Request.Path);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            await context.Response.WriteAsJsonAsync(new
            {
                type = "about:blank",
                title = "Service Unavailable",
                status = 503,
                detail = "The store cannot be reached right now; nothing was recorded. Try again shortly.",
            }, options: null, contentType: "application/problem+json");
        }
    });

    [LoggerMessage(LogLevel.Error, "The store could not be reached while answering {Path}; answered 503, nothing recorded")]
    private static partial void LogStoreOutage(this ILogger logger, Exception ex, string path);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (IStore store, Catalog catalog) =>
        {
            var readiness = Readiness.Check(store, catalog);
            return readiness.StoreOpen
                ? Results.Json(
                    new { ready = readiness.Ready, definitions = catalog.Definitions.Select(d => d.Id), people = catalog.People.People.Count, problems = readiness.Problems },
                    statusCode: readiness.Ready ? 200 : 503)
                : Results.Json(new { ready = false, problems = readiness.Problems }, statusCode: 503);
        });
        return app;
    }
}

/// <summary>What <c>/readyz</c> answers, for the home page too: ready when the store opens and a definition loaded.</summary>
internal sealed record Readiness(bool Ready, bool StoreOpen, IReadOnlyList<string> Problems)
{
    public static Readiness Check(IStore store, Catalog catalog)
    {
        var problems = catalog.Problems.Select(p => p.ToString()).ToList();
        string? unreachable;
        try
        {
            unreachable = store.Problem();
            if (unreachable is null) store.CountInstances();
        }
        catch (Exception ex)
        {
            unreachable = ex.Message;
        }
        if (unreachable is not null)
        {
            problems.Insert(0, $"store {store.Provider} {store.Location}: {unreachable}");
            return new Readiness(false, false, problems);
        }
        // A set-aside instance is named, but the host stays ready: everything else still works.
        var setAside = store.SetAside();
        problems.AddRange(setAside.Take(20).Select(s =>
            $"instance {s.InstanceId} cannot be saved since {s.Since:yyyy-MM-dd HH:mm} UTC ({s.What}: {s.Error}); see admin stuck"));
        if (setAside.Count > 20) problems.Add($"{setAside.Count - 20} more instances cannot be saved; see admin stuck");
        var ready = catalog.Definitions.Count > 0;
        if (!ready) problems.Insert(0, "no workflow definition loaded");
        return new Readiness(ready, true, problems);
    }
}
