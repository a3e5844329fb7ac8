using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Storage.Postgres;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>Opening the PostgreSQL store: migrations once whoever starts first, a newer schema refused, an unreachable server named.</summary>
public sealed class PostgresStorageTests
{
    private static readonly byte[] Key = new byte[32];

    [SkippableFact]
    public async Task Hosts_starting_at_once_on_an_empty_database_migrate_it_once()
    {
        var database = PostgresServer.NewDatabase();
        var opening = Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => PostgresStorage.Open(database, TimeProvider.System, NullLogger.Instance, Key)))
            .ToList();
        var stores = await Task.WhenAll(opening).WaitAsync(TimeSpan.FromMinutes(3));
        try
        {
            Assert.All(stores, s => Assert.Null(s.Problem()));
            Assert.Equal(PostgresStorage.Known.Count, Scalar<long>(database, "SELECT count(*) FROM schema_versions"));
            Assert.Equal(1, stores[0].NextNumber("two"));
            Assert.Equal(2, stores[3].NextNumber("two"));
        }
        finally
        {
            foreach (var store in stores) store.Dispose();
        }
        // Opening again finds nothing to do.
        using var again = PostgresStorage.Open(database, TimeProvider.System, NullLogger.Instance, Key);
        Assert.Equal(PostgresStorage.Known.Count, Scalar<long>(database, "SELECT count(*) FROM schema_versions"));
    }

    [SkippableFact]
    public void A_schema_migrated_by_a_newer_version_is_refused_with_a_clear_message()
    {
        var database = PostgresServer.NewDatabase();
        PostgresStorage.Open(database, TimeProvider.System, NullLogger.Instance, Key).Dispose();
        Scalar<int>(database, "INSERT INTO schema_versions (scriptname, applied) VALUES ('Orchestrator.Host.Storage.Postgres.Migrations.0099_future.sql', now()) RETURNING 1");

        var refused = Assert.Throws<SchemaTooNewException>(() => PostgresStorage.Open(database, TimeProvider.System, NullLogger.Instance, Key));

        Assert.Contains("0099_future.sql", refused.Message);
        Assert.Contains("newer version", refused.Message);
        Assert.Contains(new NpgsqlConnectionStringBuilder(database).Database!, refused.Message);
    }

    [Fact]
    public void An_unreachable_server_is_named_with_its_host_port_and_database_and_never_its_password()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var connection = $"Host=127.0.0.1;Port={port};Database=orders;Username=orc;Password=hunter2;Timeout=5";

        var failed = Assert.Throws<StoreUnavailableException>(() => PostgresStorage.Open(connection, TimeProvider.System, NullLogger.Instance, Key));

        Assert.Contains($"127.0.0.1:{port}/orders", failed.Message);
        Assert.DoesNotContain("hunter2", failed.Message);
    }

    private static T Scalar<T>(string database, string sql)
    {
        using var connection = new NpgsqlConnection(database);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return (T)command.ExecuteScalar()!;
    }
}
