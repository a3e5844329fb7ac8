using System.Diagnostics;
using System.Net.Sockets;
using Orchestrator.Host.Cli;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Cli;

/// <summary>Help, usage and mistyped commands answer and exit; the server starts only when no command is asked for.</summary>
public sealed class UsageTests
{
    private static readonly string[] Commands = ["validate", "healthcheck", "simulate", "manifest", "audit", "apikey"];

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    [InlineData("-h")]
    public async Task Help_prints_every_command_with_its_options_and_an_example_and_exits_zero(string ask)
    {
        var (code, output, error) = await HostProcess.Run(ask);

        Assert.True(code == 0, error);
        foreach (var command in Commands) Assert.Contains($"\n  {command} ", output);
        Assert.Contains("manifest teams --bot-id <microsoft-app-id> --base-url <https-url> --out <file.zip>", output);
        Assert.Contains("validate [<path>] [--directory <file>]", output);
        Assert.Contains("e.g. validate manifests/workflows", output);
        Assert.DoesNotContain("Now listening", output);
    }

    [Fact]
    public async Task A_mistyped_command_exits_2_with_the_near_match_and_the_usage()
    {
        var (code, output, error) = await HostProcess.Run("validat", "manifests/workflows");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("unknown command 'validat'. Did you mean 'validate'?", error);
        Assert.Contains("usage: Orchestrator.Host <command> [options]", error);
        Assert.DoesNotContain("Now listening", error);
    }

    [Theory]
    [InlineData("validate", "--directory <file>", "validate manifests/workflows")]
    [InlineData("simulate", "--inputs <field=value>", "simulate purchase --inputs amount=1500 item=Desk --answer never")]
    [InlineData("manifest teams", "--bot-id <microsoft-app-id>", "manifest teams --bot-id")]
    [InlineData("audit export", "--since <YYYY-MM-DD>", "audit export --out audit.jsonl")]
    [InlineData("apikey create", "--db <file.db>", "apikey create jira")]
    [InlineData("healthcheck", "<url>", "healthcheck http://localhost:8080/healthz")]
    public async Task Help_on_a_command_explains_its_options_with_examples(string command, string option, string example)
    {
        var (code, output, error) = await HostProcess.Run([.. command.Split(' '), "--help"]);

        Assert.True(code == 0, error);
        Assert.Contains(option, output);
        Assert.Contains("Examples:", output);
        Assert.Contains(example, output);
    }

    [Fact]
    public async Task A_mistyped_option_names_the_near_one()
    {
        var (code, _, error) = await HostProcess.Run("validate", "manifests/workflows", "--directroy", "manifests/directory.yaml");

        Assert.Equal(2, code);
        Assert.Contains("validate: unknown option '--directroy'; did you mean '--directory'?", error);
        Assert.Contains("usage: validate [<path>] [--directory <file>]", error);
    }

    [Fact]
    public async Task An_option_left_without_its_value_is_named()
    {
        var (code, _, error) = await HostProcess.Run("manifest", "teams", "--bot-id", "--base-url", "https://orchestrator.example.com", "--out", "x.zip");

        Assert.Equal(2, code);
        Assert.Contains("manifest teams: --bot-id needs a value", error);
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5080" }, false)]
    [InlineData(new[] { "--Storage:Path=x.db" }, false)]
    [InlineData(new[] { "/Storage:Path", "x.db" }, false)]
    [InlineData(new[] { "Slack:BotToken=xoxb-1" }, false)]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new[] { "-?" }, true)]
    [InlineData(new[] { "help" }, true)]
    [InlineData(new[] { "validat" }, true)]
    [InlineData(new[] { "validate" }, true)]
    public void Only_a_word_or_a_request_for_help_is_a_command(string[] args, bool command)
    {
        Assert.Equal(command, CliCommands.IsCommand(args));
    }

    /// <summary>
    /// ASP.NET Core's own arguments still start the server, and run from another folder with no Storage:Path it keeps its
    /// store under that folder (data/orchestrator.db), where the user started it.
    /// </summary>
    [Fact]
    public async Task The_server_starts_with_configuration_arguments_and_keeps_its_default_store_where_it_was_started()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-start").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Orchestrator.Host.dll"), "--urls", $"http://127.0.0.1:{port}", "Scheduler:TickSeconds=60" })
            start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var ready = await Eventually(async () =>
            {
                try
                {
                    return (await http.GetAsync($"http://127.0.0.1:{port}/readyz")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            }, () => process.HasExited);

            Assert.True(ready, $"the host did not become ready (exited: {process.HasExited})");
            Assert.True(File.Exists(Path.Combine(folder, "data", "orchestrator.db")));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<bool> Eventually(Func<Task<bool>> condition, Func<bool> gaveUp)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < until && !gaveUp())
        {
            if (await condition()) return true;
            await Task.Delay(200);
        }
        return await condition();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
