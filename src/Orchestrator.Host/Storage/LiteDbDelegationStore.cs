using LiteDB;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;

namespace Orchestrator.Host.Storage;

/// <summary>Delegations in the store's LiteDB file, one document per delegating person, so a restart keeps them.</summary>
internal sealed class LiteDbDelegationStore(LiteDbStore store) : IDelegationStore
{
    private readonly ILiteCollection<BsonDocument> _delegations = store.Database.GetCollection("delegations");

    public IReadOnlyList<Delegation> All() => _delegations.FindAll().Select(Read).ToList();

    public void Save(Delegation delegation) => _delegations.Upsert(new BsonDocument
    {
        ["_id"] = delegation.From.ToLowerInvariant(),
        ["to"] = delegation.To.ToLowerInvariant(),
        ["until"] = delegation.Until is { } until ? until.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : BsonValue.Null,
        ["ends"] = delegation.Ends is { } ends ? new BsonValue(ends.UtcDateTime) : BsonValue.Null,
        ["since"] = delegation.Since.UtcDateTime,
        ["via"] = delegation.Via,
    });

    public bool Remove(string from) => _delegations.Delete(from.Trim().ToLowerInvariant());

    private static Delegation Read(BsonDocument d) => new()
    {
        From = d["_id"].AsString,
        To = d["to"].AsString,
        Until = d["until"].IsString ? DateOnly.ParseExact(d["until"].AsString, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : null,
        Ends = d["ends"].IsDateTime ? Utc(d["ends"].AsDateTime) : null,
        Since = Utc(d["since"].AsDateTime),
        Via = d["via"].IsString ? d["via"].AsString : null,
    };

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at.ToUniversalTime(), DateTimeKind.Utc));
}
