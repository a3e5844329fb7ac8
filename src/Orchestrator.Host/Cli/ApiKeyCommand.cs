using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Orchestrator.Host.Api;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Cli;

/// <summary>
/// <c>apikey create &lt;name&gt; [--system &lt;system&gt;]</c> prints a new key once and stores only its SHA-256, bound to the
/// system it acts as (its name when left out); <c>apikey list</c>; <c>apikey revoke &lt;name&gt;</c>.
/// Each takes <c>[--db &lt;file&gt;]</c>, else <c>Storage:Path</c> as the host reads it. The host holds its file open for
/// writing and LiteDB does not coordinate two writing processes, so create and revoke need the host stopped (they say so
/// and exit 1 otherwise); list only reads and works any time, though it may not show a running host's latest "last used".
/// </summary>
internal static class ApiKeyCommand
{
    public static readonly string[] Examples =
    [
        "apikey create jira --system jira",
        "apikey list --db data/orchestrator.db",
        "apikey revoke jira",
    ];

    public static Command Create()
    {
        var createName = Name();
        var createDb = AuditCommand.Db();
        var system = new Option<string?>("--system")
        {
            Description = "the system the key acts as: it completes only steps assigned to system:<system>, and comments and starts as it (default: the key's name)",
        };
        var create = new Command("create", "Makes a key and prints it once; only its SHA-256 is stored. Needs the host stopped.") { createName, system, createDb };
        create.SetAction(r => Run("create", NameOf(r, createName), r.GetValue(createDb), r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, TimeProvider.System, r.GetValue(system)));

        var listDb = AuditCommand.Db();
        var list = new Command("list", "Lists the keys: name, system, created, last used, revoked. Runs beside a host.") { listDb };
        list.SetAction(r => Run("list", null, r.GetValue(listDb), r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, TimeProvider.System));

        var revokeName = Name();
        var revokeDb = AuditCommand.Db();
        var revoke = new Command("revoke", "Revokes a key: its requests get 401 from then on. Needs the host stopped.") { revokeName, revokeDb };
        revoke.SetAction(r => Run("revoke", NameOf(r, revokeName), r.GetValue(revokeDb), r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, TimeProvider.System));

        return new Command("apikey", "Makes, lists and revokes the keys other systems use on the HTTP API.") { create, list, revoke };
    }

    /// <summary>The name comes right after the verb (<c>apikey create jira --db x</c>); anything else there means it was left out.</summary>
    private static string? NameOf(ParseResult result, Argument<string?> name)
    {
        var tokens = result.Tokens;
        var verb = tokens.ToList().FindIndex(t => t.Type == TokenType.Command && t.Value == result.CommandResult.Command.Name);
        return verb >= 0 && verb + 1 < tokens.Count && tokens[verb + 1].Type == TokenType.Argument ? result.GetValue(name) : null;
    }

    private static Argument<string?> Name() =>
        new("name") { Description = $"the key's name: {ApiKeyStore.NameRule}", Arity = ArgumentArity.ZeroOrOne };

    private static int Run(string verb, string? name, string? db, TextWriter output, TextWriter error, TimeProvider time, string? named = null)
    {
        if (verb != "list")
        {
            if (name is null) return Fail(error, $"apikey {verb}: name the key, e.g. apikey {verb} jira.");
            if (!ApiKeyStore.IsValidName(name)) return Fail(error, $"apikey {verb}: '{name}' is not a valid name: {ApiKeyStore.NameRule}.");
        }
        var system = named is null ? null : ApiKeyStore.NormalSystem(named);
        if (system is not null && !ApiKeyStore.IsValidName(system))
            return Fail(error, $"apikey create: '{named}' is not a valid system: {ApiKeyStore.NameRule}.");

        try
        {
            if (CliStore.Postgres(db) is { } connection)
            {
                // Shared by every host: a change here reaches them all at their next request, no restart.
                using var shared = CliStore.OpenPostgres(connection, null);
                var where = CliStore.Describe(shared);
                var rows = new ApiKeyStore(shared);
                return verb switch
                {
                    "list" => List(rows, where, output),
                    "create" => Create(rows, name!, system, where, time, output, error),
                    _ => Revoke(rows, name!, where, time, output, error),
                };
            }
        }
        catch (Exception e) when (e is InvalidOperationException || StoreErrors.IsStoreFailure(e))
        {
            return Fail(error, $"apikey {verb}: {e.Message}");
        }
        var path = db is not null ? Path.GetFullPath(db) : AuditCommand.StoragePath();
        if (verb != "create" && !File.Exists(path)) return Fail(error, $"apikey {verb}: {path}: no such store file.");
        try
        {
            if (verb == "create")
            {
                var folder = Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            }
            if (verb == "list") return StoreSnapshot.Read(path, store => List(new ApiKeyStore(store), path, output));
            EnsureNoHostHoldsIt(path);
            using var store = StoreProviders.OpenLiteDb(path);
            var keys = new ApiKeyStore(store);
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
