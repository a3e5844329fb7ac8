using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL server for the whole test run, each test class on a fresh database of its own. The server is the one
/// named by <c>ORCHESTRATOR_TEST_POSTGRES</c> (a connection string; <c>.ci/run</c> starts one), or else PostgreSQL 15
/// started here: <c>initdb</c> into a temporary folder and <c>pg_ctl</c> on a free loopback port, as the <c>postgres</c>
/// user when the tests run as root (PostgreSQL refuses root), stopped when the run ends.
/// </summary>
/// <remarks>
/// Where neither is possible, tests that need it are skipped with the reason; with <c>CI=true</c> they fail instead.
/// </remarks>
internal static class PostgresServer
{
    public const string Variable = "ORCHESTRATOR_TEST_POSTGRES";
    private const string Binaries = "/usr/lib/postgresql/15/bin";

    private static readonly Lazy<Server> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lock Creating = new();

    private sealed record Server(string? AdminConnection, string? Problem);

    /// <summary>
    /// A connection string to a new, empty database; skips the test (fails it in CI) when no server can be had.
    /// Call it from the test body (or an <c>IAsyncLifetime</c>'s InitializeAsync), where a skip is reported as one.
    /// </summary>
    public static string NewDatabase()
    {
        var server = Shared.Value;
        if (server.AdminConnection is null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"PostgreSQL is needed by this test and could not be started in CI: {server.Problem}");
            Skip.If(true, $"PostgreSQL is not available ({server.Problem}); set {Variable} to a connection string, or install PostgreSQL 15");
        }
        var name = $"t_{Guid.NewGuid():N}";
        lock (Creating)
        {
            using var connection = new NpgsqlConnection(server.AdminConnection);
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(server.AdminConnection) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Whether a server is there (without skipping): for tests that only add to what they check when it is.</summary>
    public static bool Available => Shared.Value.AdminConnection is not null;

    private static Server Start()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            var problem = Answers(given);
            return problem is null ? new Server(given, null) : new Server(null, $"{Variable} is set but the server does not answer: {problem}");
        }
        if (!File.Exists(Path.Combine(Binaries, "initdb"))) return new Server(null, $"{Binaries}/initdb not found");
        try
        {
            return StartLocal();
        }
        catch (Exception e)
        {
            return new Server(null, $"starting PostgreSQL 15 failed: {e.Message}");
        }
    }

    private static Server StartLocal()
    {
        var root = Environment.UserName == "root";
        RemoveLeftovers();
        var folder = Directory.CreateTempSubdirectory("orchestrator-pg-").FullName;
        var data = Path.Combine(folder, "data");
        if (root) Run("chown", ["-R", "postgres:postgres", folder], asPostgres: false);
        var port = FreePort();
        var user = root ? "postgres" : Environment.UserName;
        Run(Path.Combine(Binaries, "initdb"), ["-D", data, "-U", user, "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"], root);
        // Tests need no power-loss durability: fsync off spares the loaded machine; synchronous_commit stays on.
        Run(Path.Combine(Binaries, "pg_ctl"),
            ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "120",
             "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300", "start"], root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Run(Path.Combine(Binaries, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], root);
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception)
            {
                // The run is ending: a server that would not stop goes with the machine's temporary files.
            }
        };
        var admin = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = user, Database = "postgres", Pooling = false }.ConnectionString;
        var problem = Answers(admin);
        return problem is null ? new Server(admin, null) : new Server(null, problem);
    }

    // Folders of earlier runs whose server is no longer running (a run killed before it could clean up).
    private static void RemoveLeftovers()
    {
        foreach (var old in Directory.EnumerateDirectories(Path.GetTempPath(), "orchestrator-pg-*"))
        {
            // Another run may be setting one up right now (no server yet): only folders left for hours are judged.
            if (File.Exists(Path.Combine(old, "data", "postmaster.pid")) || Directory.GetLastWriteTimeUtc(old) > TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(-6)) continue;
            try
            {
                Directory.Delete(old, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another run's, still in use: it removes its own.
            }
        }
    }

    private static string? Answers(string connectionString)
    {
        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT 1", connection);
            command.ExecuteScalar();
            return null;
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }

    private static void Run(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(file)} did not finish in 3 minutes");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} exited with {process.ExitCode}: {error.Result.Trim()} {output.Result.Trim()}".Trim());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
