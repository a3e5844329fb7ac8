using System.Globalization;
using LiteDB;
using Orchestrator.Host.Api;

namespace Orchestrator.Host.Cli;

/// <summary>
/// <c>apikey create &lt;name&gt; [--system &lt;system&gt;]</c> prints a new key once and stores only its SHA-256, bound to the system
/// it acts as (its name when not given); <c>apikey list</c>; <c>apikey revoke &lt;name&gt;</c>.
/// Each takes <c>[--db &lt;file&gt;]</c>, else <c>Storage:Path</c> as the host reads it. The host holds its file open for
/// writing and LiteDB does not coordinate two writing processes, so create and revoke need the host stopped (they say so
/// and exit 1 otherwise); list only reads and works any time, though it may not show a running host's latest "last used".
/// </summary>
internal static class ApiKeyCommand
{
    public const string Usage = """
        usage: apikey create <name> [--system <system>] [--db <file.db>]
               apikey list [--db <file.db>]
               apikey revoke <name> [--db <file.db>]
        """;

    private const string Db = "--db", System = "--system";

    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider time)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Length == 0 ? error : output).WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var verb = args[0];
        if (verb is not ("create" or "list" or "revoke")) return Fail(error, $"apikey: unknown command '{verb}': use create, list or revoke.");

        string? name = null;
        var rest = args.AsSpan(1);
        if (verb != "list")
        {
            if (rest.Length == 0 || rest[0].StartsWith("--", StringComparison.Ordinal))
                return Fail(error, $"apikey {verb}: name the key, e.g. apikey {verb} jira.");
            name = rest[0];
            rest = rest[1..];
            if (!ApiKeyStore.IsValidName(name)) return Fail(error, $"apikey {verb}: '{name}' is not a valid name: {ApiKeyStore.NameRule}.");
        }
        if (!ManifestCommand.TryParseOptions(rest, verb == "create" ? [Db, System] : [Db], out var options, out var problem))
            return Fail(error, $"apikey {verb}: {problem}");
        var system = options.TryGetValue(System, out var named) ? ApiKeyStore.NormalSystem(named) : null;
        if (system is not null && !ApiKeyStore.IsValidName(system))
            return Fail(error, $"apikey create: '{named}' is not a valid system: {ApiKeyStore.NameRule}.");

        var path = options.TryGetValue(Db, out var db) ? Path.GetFullPath(db) : AuditCommand.StoragePath();
        if (verb != "create" && !File.Exists(path)) return Fail(error, $"apikey {verb}: {path}: no such store file.");
        try
        {
            if (verb == "create")
            {
                var folder = Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            }
            if (verb == "list") return StoreSnapshot.Read(path, db => List(new ApiKeyStore(db, writable: false), path, output));
            EnsureNoHostHoldsIt(path);
            using var database = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
            var keys = new ApiKeyStore(database);
            return verb == "create" ? Create(keys, name!, system, path, time, output, error) : Revoke(keys, name!, path, time, output, error);
        }
        catch (IOException e)
        {
            error.WriteLine($"apikey {verb}: cannot open {path}: {e.Message}");
            if (verb != "list")
                error.WriteLine("A running host holds the store open for writing: stop it, run this again, then start it.");
            return 1;
        }
    }

    /// <summary>
    /// LiteDB's direct mode has no cross-process coordination, and on Linux two writers may open the same file: a key written
    /// next to a running host could be lost or corrupt the file. The host holds a shared lock on its file; an exclusive one
    /// taken (and let go) here proves no host has it open. The host starting in between is the remaining, narrow race.
    /// </summary>
    private static void EnsureNoHostHoldsIt(string path)
    {
        if (!File.Exists(path)) return;
        using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
    }

    private static int Create(ApiKeyStore keys, string name, string? system, string path, TimeProvider time, TextWriter output, TextWriter error)
    {
        var (outcome, key) = keys.Create(name, time.GetUtcNow(), system);
        if (outcome == ApiKeyChange.Duplicate)
            return Fail(error, $"apikey create: a key named '{name}' exists already; revoke it and pick another name, or use it.");
        output.WriteLine(key);
        error.WriteLine($"Created API key '{name}' in {path}, acting as system:{system ?? name}: it completes only steps assigned to " +
            $"system:{system ?? name} and its comments and starts are recorded as that system. It is shown only this once: store it in the calling system's secrets now.");
        error.WriteLine($"Use it as: Authorization: Bearer {key![..8]}…");
        return 0;
    }

    private static int Revoke(ApiKeyStore keys, string name, string path, TimeProvider time, TextWriter output, TextWriter error) =>
        keys.Revoke(name, time.GetUtcNow()) switch
        {
            ApiKeyChange.NotFound => Fail(error, $"apikey revoke: there is no key named '{name}' in {path}; see apikey list."),
            ApiKeyChange.AlreadyRevoked => Fail(error, $"apikey revoke: the key '{name}' is already revoked."),
            _ => Ok(output, $"Revoked API key '{name}': requests with it now get 401."),
        };

    private static int List(ApiKeyStore keys, string path, TextWriter output)
    {
        var all = keys.All();
        if (all.Count == 0)
        {
            output.WriteLine($"No API keys in {path}. Create one with: apikey create <name> --system <system>");
            return 0;
        }
        output.WriteLine($"{"name",-24} {"system",-24} {"created",-20} {"last used",-20} revoked");
        foreach (var k in all)
        {
            // A key from before keys were bound acts as the system of its name; the list says so.
            var system = k.SystemIsName ? $"{k.System} (name)" : k.System;
            output.WriteLine($"{k.Name,-24} {system,-24} {Stamp(k.Created),-20} {Stamp(k.LastUsed) ?? "never",-20} {Stamp(k.Revoked) ?? "-"}");
        }
        return 0;
    }

    private static string? Stamp(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    private static int Ok(TextWriter output, string message)
    {
        output.WriteLine(message);
        return 0;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine(message);
        return 2;
    }
}
