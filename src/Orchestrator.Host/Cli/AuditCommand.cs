using System.CommandLine;
using System.Globalization;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Storage;
using JsonSerializer = System.Text.Json.JsonSerializer;

namespace Orchestrator.Host.Cli;

/// <summary>
/// <c>audit verify [--db &lt;file&gt;] [--key &lt;key&gt;]</c> checks every instance's hash chain (exit 0 intact, 1 broken);
/// <c>audit export --out &lt;file.jsonl&gt; [--since &lt;date&gt;] [--db &lt;file&gt;] [--key &lt;key&gt;]</c> writes the events out, one
/// JSON object per line, and checks them too. The file is <c>Storage:Path</c> (appsettings.json, environment) unless
/// <c>--db</c> names another; a copy of it is read. The audit key is <c>--key</c>, else <c>Audit:Key</c> (Audit__Key), else the
/// file the host keeps beside the store when none is configured.
/// </summary>
internal static class AuditCommand
{
    public static readonly string[] Examples =
    [
        "audit verify --db data/orchestrator.db",
        "audit export --out audit.jsonl --since 2026-11-01",
    ];

    public static Command Create()
    {
        var verifyDb = Db();
        var verifyKey = Key();
        var verify = new Command("verify", "Checks every instance's keyed hash chain: exit 0 when intact, 1 when anything is broken.") { verifyDb, verifyKey };
        verify.SetAction(r => Run("verify", r.GetValue(verifyDb), r.GetValue(verifyKey), null, null, r.InvocationConfiguration.Output, r.InvocationConfiguration.Error));

        var exportDb = Db();
        var outPath = new Option<string>("--out") { Description = "the file to write, one JSON object per line", HelpName = "file.jsonl", Required = true };
        var since = new Option<string>("--since") { Description = "only events from that day on (UTC)", HelpName = "YYYY-MM-DD" };
        var exportKey = Key();
        var export = new Command("export", "Writes the audit events out as JSON lines, then checks them as verify does.") { outPath, since, exportDb, exportKey };
        export.SetAction(r => Run("export", r.GetValue(exportDb), r.GetValue(exportKey), r.GetValue(outPath), r.GetValue(since), r.InvocationConfiguration.Output, r.InvocationConfiguration.Error));

        return new Command("audit", "Verifies or exports the audit trail of the store file (read from a copy, so it runs beside a host).") { verify, export };
    }

    private static Option<string> Key() =>
        new("--key") { Description = "the audit key [default: Audit:Key (Audit__Key), else the key file the host keeps beside the store]", HelpName = "key" };

    internal static Option<string> Db() =>
        new("--db") { Description = $"the store file [default: Storage:Path, {new StorageOptions().Path}]", HelpName = "file.db" };

    private static int Run(string verb, string? db, string? keyText, string? outPath, string? sinceText, TextWriter output, TextWriter error)
    {
        DateTimeOffset? since = null;
        if (sinceText is not null)
        {
            if (!DateOnly.TryParseExact(sinceText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return Fail(error, $"audit export: --since '{sinceText}' is not a date like 2026-11-01.");
            since = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }
        try
        {
            if (CliStore.Postgres(db) is { } connection)
            {
                var sharedKey = string.IsNullOrWhiteSpace(keyText) ? CliCommands.Configured(AuditKey.Setting) : keyText;
                var bytes = string.IsNullOrWhiteSpace(sharedKey) ? null : AuditKey.Bytes(sharedKey);
                using var shared = CliStore.OpenPostgres(connection, bytes);
                var where = CliStore.Describe(shared);
                return verb == "verify" ? Verify(shared, where, bytes, output, error) : Export(shared, where, bytes, outPath!, since, output, error);
            }
        }
        catch (Exception e) when (e is InvalidOperationException || StoreErrors.IsStoreFailure(e))
        {
            return Fail(error, $"audit {verb}: {e.Message}");
        }
        var path = db is not null ? Path.GetFullPath(db) : StoragePath();
        if (!File.Exists(path)) return Fail(error, $"audit {verb}: {path}: no such store file.");

        var key = AuditKey.Find(keyText, CliCommands.Configured(AuditKey.Setting), path);

        try
        {
            return StoreSnapshot.Read(path, db => verb == "verify" ? Verify(db, path, key, output, error) : Export(db, path, key, outPath!, since, output, error));
        }
        catch (IOException e)
        {
            return Fail(error, $"audit {verb}: cannot open {path}: {e.Message}");
        }
        catch (Exception e) when (StoreErrors.IsStoreFailure(e))
        {
            return Fail(error, $"audit {verb}: {path} could not be read ({e.Message}); if the host was busy writing, run this again.");
        }
    }

    private static int Verify(IAuditTrail db, string path, byte[]? key, TextWriter output, TextWriter error)
    {
        var report = db.VerifyAudit(key);
        foreach (var problem in report.Problems) error.WriteLine($"broken {problem}");
        if (report.Legacy.Count > 0)
            output.WriteLine($"unkeyed (legacy, written before the audit key; only plain hashes vouch for them): {string.Join(", ", report.Legacy)}");
        if (report.Unchecked > 0)
        {
            error.WriteLine($"audit verify: {report.Unchecked} keyed events could not be checked: no audit key. Pass --key or set Audit__Key.");
            return 2;
        }
        output.WriteLine(report.Intact
            ? $"ok: {report.Chains} chains, {report.Events} events intact in {path}"
            : $"{report.Problems.Count} problems in {report.Chains} chains ({report.Events} events) in {path}");
        return report.Intact ? 0 : 1;
    }

    /// <summary>Writes the events, then checks them as verify does: an export of a tampered store says so (exit 1).</summary>
    private static int Export(IAuditTrail db, string path, byte[]? key, string outPath, DateTimeOffset? since, TextWriter output, TextWriter error)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        var count = 0;
        if (File.Exists(outPath)) File.Delete(outPath);
        // The events are as private as the store they come from.
        using (var writer = new StreamWriter(StoreFiles.Create(outPath)))
        {
            foreach (var entry in db.AllAudit().Where(e => since is null || e.At >= since))
            {
                writer.WriteLine(JsonSerializer.Serialize(entry, StoreJson.Options));
                count++;
            }
        }
        output.WriteLine($"wrote {count} events to {outPath}");
        var report = db.VerifyAudit(key);
        foreach (var problem in report.Problems) error.WriteLine($"broken {problem}");
        if (report.Legacy.Count > 0) output.WriteLine($"unkeyed (legacy): {string.Join(", ", report.Legacy)}");
        if (report.Unchecked > 0) output.WriteLine($"not verified: no audit key for {report.Unchecked} keyed events (pass --key or set Audit__Key)");
        else output.WriteLine(report.Intact ? $"verified: {report.Chains} chains intact in {path}" : $"{report.Problems.Count} problems in {report.Chains} chains in {path}");
        return report.Intact ? 0 : 1;
    }

    /// <summary>Storage:Path as the host would read it: environment (Storage__Path) over appsettings.json over the default.</summary>
    internal static string StoragePath()
    {
        return Path.GetFullPath(CliCommands.Configured($"{StorageOptions.Section}:Path") ?? new StorageOptions().Path);
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine(message);
        return 2;
    }
}
