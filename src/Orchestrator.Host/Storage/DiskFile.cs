namespace Orchestrator.Host.Storage;

/// <summary>
/// One of the store's files (the data file or its write-ahead log) as LiteDB writes it, made to reach the disk: LiteDB 5
/// writes a commit's pages to its log and returns without asking the operating system to keep them, so a power loss could
/// take back a change already acknowledged. <see cref="FlushToDisk"/> syncs what was written since the last sync; callers
/// that sync at the same time share one sync (group commit).
/// </summary>
internal sealed class DiskFile : Stream
{
    private readonly FileStream _file;
    private readonly Lock _syncGate = new();
    private long _written;
    private long _synced;
    private long _syncs;

    /// <summary>
    /// Opens <paramref name="path"/> for reading and writing. Shared (<see cref="FileShare.Read"/>, a shared lock on Unix) as
    /// LiteDB opened it, so that <c>apikey create|revoke</c> can tell a running host holds it. Unbuffered: LiteDB reads and
    /// writes whole pages, and a sync then never waits for a buffer another thread is filling.
    /// </summary>
    public DiskFile(string path) =>
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);

    /// <summary>How many times the file was synced to disk.</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>Whether everything written so far has reached the disk.</summary>
    public bool AllOnDisk => Interlocked.Read(ref _synced) >= Interlocked.Read(ref _written);

    /// <summary>Makes everything written so far reach the disk; returns at once when it has already.</summary>
    public void FlushToDisk()
    {
        var target = Interlocked.Read(ref _written);
        if (Interlocked.Read(ref _synced) >= target) return;
        lock (_syncGate)
        {
            // Another caller's sync, begun after our write, covered it.
            if (Interlocked.Read(ref _synced) >= target) return;
            // Counted before the sync: what is written meanwhile is left for the next one.
            var upTo = Interlocked.Read(ref _written);
            _file.Flush(flushToDisk: true);
            Interlocked.Exchange(ref _synced, upTo);
            Interlocked.Increment(ref _syncs);
        }
    }

    /// <summary>LiteDB flushes the data file after a checkpoint copies the log into it: that flush must reach the disk too.</summary>
    public override void Flush() => FlushToDisk();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _file.Write(buffer, offset, count);
        Interlocked.Increment(ref _written);
    }

    public override void SetLength(long value)
    {
        _file.SetLength(value);
        Interlocked.Increment(ref _written);
    }

    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }
}
