using Npgsql;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Storage.Postgres;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>The store contract on PostgreSQL: each test on a fresh database, "two hosts" as two stores on it.</summary>
public sealed class PostgresStoreContractTests : StoreContract
{
    private string? _database;

    private string Database => _database ??= PostgresServer.NewDatabase();

    internal override IStore Open(TimeProvider time, byte[] auditKey) =>
        PostgresStorage.Open(Database, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, auditKey);

    internal override IStore OpenAnother(IStore first, TimeProvider time, byte[] auditKey) => Open(time, auditKey);

    // jsonb (and text) refuse the NUL character: the change cannot be stored.
    internal override void Spoil(WorkflowInstance instance) => instance.Inputs["item"] = "bad\u0000byte";

    internal override void Tamper(IStore store, string instanceId, int seq, string text)
    {
        using var connection = new NpgsqlConnection(Database);
        connection.Open();
        using var command = new NpgsqlCommand("UPDATE audit SET text = @text WHERE instance = @instance AND seq = @seq", connection);
        command.Parameters.AddWithValue("text", text);
        command.Parameters.AddWithValue("instance", instanceId);
        command.Parameters.AddWithValue("seq", seq);
        Assert.Equal(1, command.ExecuteNonQuery());
    }
}
