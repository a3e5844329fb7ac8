using LiteDB;
using LiteDB.Engine;

namespace Orchestrator.Host.Storage;

/// <summary>
/// LiteDB on the store's files, where every commit is on disk before it returns: the instance a click decided, the request
/// Slack was answered 200 for, the key an admin revoked. LiteDB 5 never syncs its log on commit (only a checkpoint syncs
/// the data file), so a power loss could undo what was acknowledged; this engine syncs the log after each operation that
/// committed. An operation inside an explicit transaction writes nothing to the log until its commit, so a batch (a
/// scheduler tick's 100 changes) costs one sync, and concurrent commits share one (see <see cref="DiskFile"/>).
/// </summary>
internal sealed class DurableEngine : ILiteEngine
{
    private readonly LiteEngine _engine;
    private readonly string _logPath;
    private readonly FileStream _scratch;
    private int _disposed;

    private DurableEngine(string path)
    {
        _logPath = StoreFiles.LogOf(path);
        Data = new DiskFile(path);
        Log = new DiskFile(_logPath);
        _scratch = StoreFiles.Scratch(path);
        try
        {
            _engine = new LiteEngine(new EngineSettings { DataStream = Data, LogStream = Log, TempStream = _scratch });
        }
        catch
        {
            CloseFiles();
            throw;
        }
    }

    /// <summary>Opens the store at <paramref name="path"/> (made private first, see <see cref="StoreFiles.Prepare"/>).</summary>
    public static LiteDatabase Open(string path) => new(Engine(path), disposeOnClose: true);

    /// <summary>The engine itself, for a caller that watches its files (see <see cref="Log"/>).</summary>
    public static DurableEngine Engine(string path)
    {
        StoreFiles.Prepare(path);
        return new DurableEngine(path);
    }

    public DiskFile Data { get; }

    /// <summary>The write-ahead log, where each commit lands first.</summary>
    public DiskFile Log { get; }

    private T Synced<T>(T result)
    {
        Log.FlushToDisk();
        return result;
    }

    public bool Commit() => Synced(_engine.Commit());

    public int Insert(string collection, IEnumerable<BsonDocument> docs, BsonAutoId autoId) => Synced(_engine.Insert(collection, docs, autoId));

    public int Update(string collection, IEnumerable<BsonDocument> docs) => Synced(_engine.Update(collection, docs));

    public int UpdateMany(string collection, BsonExpression transform, BsonExpression predicate) => Synced(_engine.UpdateMany(collection, transform, predicate));

    public int Upsert(string collection, IEnumerable<BsonDocument> docs, BsonAutoId autoId) => Synced(_engine.Upsert(collection, docs, autoId));

    public int Delete(string collection, IEnumerable<BsonValue> ids) => Synced(_engine.Delete(collection, ids));

    public int DeleteMany(string collection, BsonExpression predicate) => Synced(_engine.DeleteMany(collection, predicate));

    public bool DropCollection(string name) => Synced(_engine.DropCollection(name));

    public bool RenameCollection(string name, string newName) => Synced(_engine.RenameCollection(name, newName));

    public bool EnsureIndex(string collection, string name, BsonExpression expression, bool unique) => Synced(_engine.EnsureIndex(collection, name, expression, unique));

    public bool DropIndex(string collection, string name) => Synced(_engine.DropIndex(collection, name));

    public bool Pragma(string name, BsonValue value) => Synced(_engine.Pragma(name, value));

    public int Checkpoint() => Synced(_engine.Checkpoint());

    public long Rebuild(RebuildOptions options) => Synced(_engine.Rebuild(options));

    public bool BeginTrans() => _engine.BeginTrans();

    public bool Rollback() => _engine.Rollback();

    public IBsonDataReader Query(string collection, Query query) => _engine.Query(collection, query);

    public BsonValue Pragma(string name) => _engine.Pragma(name);

    public void Dispose()
    {
        // The host's container disposes the store once for each service it is registered as.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            _engine.Dispose();
        }
        finally
        {
            CloseFiles();
        }
    }

    private void CloseFiles()
    {
        // LiteDB leaves streams it was given open, and deletes only a log file it opened itself: as it did on a file it
        // opened, an empty log goes with the store's close (StoreFiles.Prepare makes it again, private, on the next open).
        var empty = Log.Length == 0;
        _scratch.Dispose();
        Log.Dispose();
        Data.Dispose();
        if (empty) File.Delete(_logPath);
    }
}
