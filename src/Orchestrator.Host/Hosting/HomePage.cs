using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Playground;
using Orchestrator.Host.Slack;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Teams;

namespace Orchestrator.Host.Hosting;

/// <summary>
/// <c>GET /</c>: what this host has on (channels, store, definitions, directory, problems) and where to go next. Plain
/// server-rendered HTML, so it needs nothing built and reads on a phone. Paths on this machine are shown to local callers only.
/// </summary>
internal static class HomePage
{
    public static IEndpointRouteBuilder MapHome(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context, IOptions<SlackOptions> slack, IOptions<TeamsOptions> teams, IOptions<PlaygroundOptions> playground,
                IStore store, Catalog catalog, CatalogLoader loader) =>
            {
                var local = TeamsExtensions.IsLocalCaller(context);
                var html = Render(slack.Value, teams.Value, playground.Value, store, catalog, loader, local);
                context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
                return Results.Content(html, "text/html; charset=utf-8");
            })
            .ExcludeFromDescription();
        return app;
    }

    private static string Render(SlackOptions slack, TeamsOptions teams, PlaygroundOptions playground, IStore store, Catalog catalog,
        CatalogLoader loader, bool local)
    {
        var readiness = Readiness.Check(store, catalog);
        var slackOn = !string.IsNullOrWhiteSpace(slack.BotToken) && !string.IsNullOrWhiteSpace(slack.SigningSecret);
        var html = new StringBuilder();
        html.Append($$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Orchestrator</title>
            <style>
            body { margin: 0 auto; max-width: 48rem; padding: 1rem; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: #1b1b1f; background: #fff; }
            h1 { margin-bottom: 0.25rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #c8c8d0; }
            a { color: #3a45a8; } a:focus-visible { outline: 3px solid #ffb900; outline-offset: 2px; }
            table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem; border-bottom: 1px solid #e1e1e6; }
            th { width: 9rem; } code { font-size: 0.95em; overflow-wrap: anywhere; }
            .on { color: #0e6b0e; font-weight: 600; } .off { color: #4a4a55; font-weight: 600; } .problem { color: #a4262c; }
            .try { display: inline-block; margin: 0.5rem 0; padding: 0.5rem 1rem; border-radius: 0.3rem; background: #3a45a8; color: #fff; font-weight: 600; text-decoration: none; }
            </style>
            </head>
            <body>
            <header>
            <h1>Orchestrator</h1>
            <p>A chat-first workflow bot: requests start in Slack or Microsoft Teams, approval cards reach the right people where they already are, and every answer is recorded.</p>
            </header>
            <main>
            """);

        html.Append("<section aria-labelledby=\"try\"><h2 id=\"try\">Try it</h2>");
        if (playground.On)
            html.Append("<p>The playground lets you chat with the bot in this browser as anyone in the directory, through the same code as Teams.</p>")
                .Append($"<p><a class=\"try\" href=\"{PlaygroundExtensions.PagePath}\">Open the playground</a></p>");
        else
            html.Append("<p>The playground is off (it is on by default only when neither Slack nor <code>MicrosoftAppId</code> is set). ")
                .Append("Turn it on with <code>Playground__Enabled=true</code>.</p>");
        html.Append("</section>");

        html.Append("<section aria-labelledby=\"on\"><h2 id=\"on\">What is on</h2><table><tbody>");
        Row(html, "Slack", slackOn
            ? $"{On()} Web API {Code(slack.ApiBaseUrl)}; endpoints <code>/slack/commands</code>, <code>/slack/interactions</code>, <code>/slack/events</code>"
            : $"{Off()} set <code>Slack__BotToken</code> and <code>Slack__SigningSecret</code> to turn it on (see Installing in Slack below)");
        Row(html, "Teams", teams.Authenticated
            ? $"{On()} app {Code(teams.MicrosoftAppId!)}; Bot Framework activities at <code>{TeamsExtensions.MessagesPath}</code> with token validation"
            : $"{Off()} no <code>MicrosoftAppId</code>: <code>{TeamsExtensions.MessagesPath}</code> takes callers on this machine only");
        Row(html, "Playground", playground.On
            ? $"{On()} <a href=\"{PlaygroundExtensions.PagePath}\">{PlaygroundExtensions.PagePath}</a>, for this machine only"
            : Off());
        Row(html, "Store", store.Provider == "postgres"
            ? $"PostgreSQL {(local ? Code(store.Location) : "(its address is shown on this machine only)")}, shared by every host"
            : $"LiteDB file {(local ? Code(store.Location) : "(its path is shown on this machine only)")}");
        var definitions = catalog.Definitions.OrderBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => $"<li>{Code($"{d.Id}@{d.Version}")}: {Encode(d.Name)}</li>");
        Row(html, "Definitions", $"{catalog.Definitions.Count} loaded{(local ? $" from {Code(loader.WorkflowsPath)}" : "")}<ul>{string.Concat(definitions)}</ul>");
        Row(html, "Directory", $"{catalog.People.People.Count} {(catalog.People.People.Count == 1 ? "person" : "people")}{(local ? $" from {Code(loader.DirectoryPath)}" : "")}");
        Row(html, "Ready", readiness.Ready
            ? $"{On("yes")} (<a href=\"/readyz\">/readyz</a>)"
            : $"<span class=\"problem\">not ready</span> (<a href=\"/readyz\">/readyz</a>)");
        Row(html, "Problems", readiness.Problems.Count == 0
            ? "none"
            : $"<ul>{string.Concat(readiness.Problems.Select(p => $"<li class=\"problem\">{Encode(p)}</li>"))}</ul>");
        html.Append("</tbody></table></section>");

        html.Append("""
            <section aria-labelledby="more"><h2 id="more">For operators</h2><ul>
            <li><a href="/readyz">/readyz</a>: readiness, with any problem named</li>
            <li><a href="/healthz">/healthz</a>: liveness</li>
            <li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
            <li><a href="/openapi/v1.json">/openapi/v1.json</a>: the HTTP API for other systems (<code>/api/v1</code>, bearer keys)</li>
            </ul></section>
            <section aria-labelledby="slack"><h2 id="slack">Installing in Slack</h2><ol>
            <li>Put the host where Slack can reach it over HTTPS, say <code>https://orchestrator.example.com</code>.</li>
            <li>Fill the URL into the app manifest: <code>dotnet run --project src/Orchestrator.Host -- manifest slack --base-url https://orchestrator.example.com --out slack-manifest.yaml</code></li>
            <li>At <a href="https://api.slack.com/apps">api.slack.com/apps</a> choose <strong>Create New App → From an app manifest</strong> and paste <code>slack-manifest.yaml</code>.</li>
            <li><strong>Install to Workspace</strong>, then start the host with the bot token (<code>Slack__BotToken</code>, <code>xoxb-…</code>) and the signing secret (<code>Slack__SigningSecret</code>).</li>
            </ol></section>
            <section aria-labelledby="teams"><h2 id="teams">Installing in Teams</h2><ol>
            <li>Put the host where Teams can reach it over HTTPS, say <code>https://orchestrator.example.com</code>.</li>
            <li>In the Azure portal create an <strong>Azure Bot</strong> (Single Tenant, or a User-Assigned Managed Identity), with the messaging endpoint <code>https://orchestrator.example.com/api/messages</code> and the Microsoft Teams channel.</li>
            <li>Start the host with <code>MicrosoftAppType=SingleTenant</code>, <code>MicrosoftAppId</code>, <code>MicrosoftAppTenantId</code> and <code>MicrosoftAppPassword</code> (or <code>UserAssignedMSI</code> without a password).</li>
            <li>Build the app package: <code>dotnet run --project src/Orchestrator.Host -- manifest teams --bot-id &lt;microsoft-app-id&gt; --base-url https://orchestrator.example.com --out orchestrator-teams.zip</code></li>
            <li>In Teams: <strong>Apps → Manage your apps → Upload an app → Upload a custom app</strong>, and add it.</li>
            </ol>
            <p>README.md, beside the code, has every step in full, the configuration keys and the commands.</p></section>
            </main>
            </body>
            </html>
            """);
        return html.ToString();
    }

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append($"<tr><th scope=\"row\">{Encode(name)}</th><td>{value}</td></tr>");

    private static string On(string text = "on") => $"<span class=\"on\">{text}</span>";

    private static string Off() => "<span class=\"off\">off</span>";

    private static string Code(string text) => $"<code>{Encode(text)}</code>";

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
