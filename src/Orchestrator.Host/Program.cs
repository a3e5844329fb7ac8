using Orchestrator.Host.Api;
using Orchestrator.Host.Cli;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Playground;
using Orchestrator.Host.Scheduling;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Teams;
using Orchestrator.Host.Webhooks;

if (CliCommands.IsCommand(args)) return await CliCommands.RunAsync(args);

// appsettings.json is the application's own, beside it; relative paths in it are taken from where the host was started.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services
    .AddOrchestratorCore()
    .AddRequestLimits()
    .AddStore()
    .AddOutbox()
    .AddSchedules()
    .AddSlackChannel(builder.Configuration)
    .AddTeamsChannel(builder.Configuration)
    .AddPlayground()
    .AddWebhooks()
    .AddHttpApi();

var app = builder.Build();
try
{
    // The store first: a database out of reach, or one a newer version migrated, stops the start with the reason.
    app.Services.GetRequiredService<IStore>();
}
catch (Exception e) when (StoreErrors.PreventsStart(e))
{
    await Console.Error.WriteLineAsync($"Orchestrator cannot start: {e.Message}");
    return 1;
}
app.UseStoreOutage();
app.MapHealth();
app.MapMetricsEndpoint();
app.MapAbout();
app.MapHome();
app.MapSlack();
app.MapTeams();
app.MapPlayground();
app.MapApi();
app.UseSchedules();

app.Services.GetRequiredService<CatalogLoader>().Load();
app.Services.GetRequiredService<StartupReport>().Log();
await app.RunAsync();
return 0;

public partial class Program;
