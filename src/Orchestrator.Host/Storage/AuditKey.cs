using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Host.Storage;

/// <summary>
/// The secret that keys the audit chain (<c>Audit:Key</c>). It is never written into the store: someone who can edit the
/// store file alone cannot recompute the chain. Unset, one is generated at first start and kept in a private file beside
/// the store (<see cref="FileOf"/>) so restarts and <c>audit verify</c> keep working; moving it into configuration (and
/// away from the store's folder) is the admin's part.
/// </summary>
internal static class AuditKey
{
    public const string Setting = "Audit:Key";

    /// <summary>Where a generated key is kept: <c>orchestrator.db</c> → <c>orchestrator.audit-key</c>, same folder.</summary>
    public static string FileOf(string storePath) =>
        Path.Combine(Path.GetDirectoryName(storePath)!, Path.GetFileNameWithoutExtension(storePath) + ".audit-key");

    public static byte[] Bytes(string key) => Encoding.UTF8.GetBytes(key.Trim());

    /// <summary>The key a CLI command uses: its option, else configuration, else the file beside the store; null when none.</summary>
    public static byte[]? Find(string? option, string? configured, string storePath)
    {
        if (!string.IsNullOrWhiteSpace(option)) return Bytes(option);
        if (!string.IsNullOrWhiteSpace(configured)) return Bytes(configured);
        var file = FileOf(storePath);
        return File.Exists(file) && File.ReadAllText(file) is { } kept && !string.IsNullOrWhiteSpace(kept) ? Bytes(kept) : null;
    }

    /// <summary>The host's key: configured, else kept beside the store, else generated now and kept there (Generated set).</summary>
    public static (byte[] Key, string Source, string? Generated) ForHost(string? configured, string storePath)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return (Bytes(configured), "configuration", null);
        var file = FileOf(storePath);
        if (Find(null, null, storePath) is { } kept) return (kept, file, null);
        // Empty: the host died while writing it, before anything was keyed with it.
        if (File.Exists(file)) File.Delete(file);
        var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        using (var stream = StoreFiles.Create(file))
        using (var writer = new StreamWriter(stream))
            writer.Write(generated);
        return (Bytes(generated), file, generated);
    }
}
