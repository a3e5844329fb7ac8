using LiteDB;

namespace Orchestrator.Host.Storage;

/// <summary>
/// The store holds everyone's requests and answers: its files are the owner's alone (0600, the folder 0700 when we make
/// it). LiteDB would create them with the process's umask (usually 0644), so they are made here first, private.
/// </summary>
internal static class StoreFiles
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateFolder = Private | UnixFileMode.UserExecute;

    /// <summary>Makes the folder, an empty database and its write-ahead log where they do not exist yet, each private.</summary>
    public static void Prepare(string path)
    {
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
            else Directory.CreateDirectory(folder, PrivateFolder);
        }
        if (!File.Exists(path))
        {
            try
            {
                // LiteDB takes an existing empty file for a damaged one, so the new file gets its header page here.
                using var stream = Create(path);
                using var database = new LiteDatabase(stream);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process made it first; its mode is its own.
            }
        }
        // The log is deleted when the store closes empty, and made again on the next open: make it private first.
        var log = LogOf(path);
        if (!File.Exists(log))
        {
            try
            {
                Create(log).Dispose();
            }
            catch (IOException) when (File.Exists(log))
            {
            }
        }
    }

    /// <summary>A new file only its owner can read and write (on Unix); fails if it exists.</summary>
    public static FileStream Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Private;
        return new FileStream(path, options);
    }

    /// <summary>
    /// LiteDB's scratch file for sorting large queries, beside the store and as private as it (LiteDB would make it with the
    /// process's umask), deleted when the store closes; one a crash left behind is replaced.
    /// </summary>
    public static FileStream Scratch(string path)
    {
        var scratch = Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "-tmp" + Path.GetExtension(path));
        File.Delete(scratch);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, Options = FileOptions.DeleteOnClose };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Private;
        return new FileStream(scratch, options);
    }

    /// <summary>LiteDB's write-ahead log beside <paramref name="path"/>: <c>name-log.ext</c>.</summary>
    public static string LogOf(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));
}
