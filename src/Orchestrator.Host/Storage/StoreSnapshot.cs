using LiteDB;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Storage;

/// <summary>
/// A private copy of the store for commands that only read it (<c>audit</c>, <c>apikey list</c>). Opening the live file
/// read-only is not enough: LiteDB keeps recent commits in its write-ahead log (<c>…-log.db</c>) until a checkpoint, and a
/// read-only open does not replay it, so it would read pages the log has already replaced. The copy is opened normally,
/// replays its log, and is deleted afterwards; the running host's files are never touched.
/// </summary>
internal sealed class StoreSnapshot : IDisposable
{
    private readonly string _folder;

    private StoreSnapshot(string folder, string copy, LiteDbStore store)
    {
        _folder = folder;
        CopyPath = copy;
        Store = store;
    }

    /// <summary>The copy, through the same ports the host uses.</summary>
    public IStore Store { get; }

    /// <summary>Where the copy is, until disposed.</summary>
    public string CopyPath { get; }

    public static StoreSnapshot Open(string path)
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-snapshot").FullName;
        try
        {
            var copy = Path.Combine(folder, Path.GetFileName(path));
            // The data file first, then its log: a checkpoint between the two leaves an older but whole state, never a torn one.
            CopyShared(path, copy);
            var log = LogOf(path);
            if (File.Exists(log)) CopyShared(log, LogOf(copy));
            return new StoreSnapshot(folder, copy, new LiteDbStore(copy));
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> on a fresh copy, copying again when the copy turns out torn (the host was writing
    /// its file, e.g. a checkpoint, while it was copied).
    /// </summary>
    public static T Read<T>(string path, Func<IStore, T> read)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var snapshot = Open(path);
                return read(snapshot.Store);
            }
            catch (LiteException) when (attempt < 3)
            {
                Thread.Sleep(200 * attempt);
            }
        }
    }

    public void Dispose()
    {
        Store.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; the answer the command gave stands.
        }
    }

    private static string LogOf(string path) => StoreFiles.LogOf(path);

    // The host keeps its file open; read it with sharing so the copy works beside it.
    private static void CopyShared(string from, string to)
    {
        using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        // As private as the store itself (0600, in a 0700 temp folder): a copy must not widen who can read it.
        using var target = StoreFiles.Create(to);
        source.CopyTo(target);
    }
}
