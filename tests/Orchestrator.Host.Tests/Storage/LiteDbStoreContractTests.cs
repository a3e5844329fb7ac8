using LiteDB;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>The store contract on LiteDB: a temporary file, held by one store (one process), so "two hosts" are two owners of it.</summary>
public sealed class LiteDbStoreContractTests : StoreContract
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");

    internal override IStore Open(TimeProvider time, byte[] auditKey) => new LiteDbStore(_path, time, auditKey: auditKey);

    internal override IStore OpenAnother(IStore first, TimeProvider time, byte[] auditKey) => first;

    // Past LiteDB's 16 MB document limit.
    internal override void Spoil(WorkflowInstance instance) => instance.Inputs["item"] = new string('x', 17 * 1024 * 1024);

    internal override void Tamper(IStore store, string instanceId, int seq, string text)
    {
        var audit = ((LiteDbStore)store).Database.GetCollection(AuditChain.Collection);
        var doc = audit.FindOne(Query.And(Query.EQ("instance", instanceId), Query.EQ("seq", seq)));
        doc["text"] = text;
        audit.Update(doc);
    }
}
