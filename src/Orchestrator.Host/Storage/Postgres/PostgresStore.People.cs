using Npgsql;
using Orchestrator.Core.Engine;
using Orchestrator.Core.People;

namespace Orchestrator.Host.Storage.Postgres;

internal sealed partial class PostgresStore
{
    // ---- Slack identities ------------------------------------------------------------------------------------

    public string? SlackUserOf(string email) =>
        Scalar<string>("SELECT slack FROM identities WHERE email = @email", ("email", email.ToLowerInvariant()));

    public (string Email, string? TimeZone)? EmailOfSlackUser(string userId) =>
        SlackIdentityOf(userId) is { } known ? (known.Email, known.TimeZone) : null;

    public (string Email, string? TimeZone, DateTimeOffset? Seen)? SlackIdentityOf(string userId) =>
        Query("SELECT email, tz, seen FROM identities WHERE slack = @slack ORDER BY email LIMIT 1",
                r => ((string Email, string? TimeZone, DateTimeOffset? Seen)?)(r.GetString(0), Text(r, "tz"), Time(r, "seen")),
                ("slack", userId))
            .FirstOrDefault();

    public string? SlackDirectChannelOf(string email) =>
        Scalar<string>("SELECT dm FROM identities WHERE email = @email", ("email", email.ToLowerInvariant()));

    public void SaveSlackDirectChannel(string email, string channel) =>
        Execute("INSERT INTO identities (email, dm) VALUES (@email, @dm) ON CONFLICT (email) DO UPDATE SET dm = excluded.dm",
            ("email", email.ToLowerInvariant()), ("dm", channel));

    public string? SlackTimeZoneOf(string email) =>
        Scalar<string>("SELECT tz FROM identities WHERE email = @email", ("email", email.ToLowerInvariant()));

    public void MarkHomeOpened(string email) =>
        Execute("INSERT INTO identities (email, home) VALUES (@email, true) ON CONFLICT (email) DO UPDATE SET home = true",
            ("email", email.ToLowerInvariant()));

    public bool HomeOpened(string email) => Scalar<bool>("SELECT home FROM identities WHERE email = @email", ("email", email.ToLowerInvariant()));

    /// <summary>An id that moved to another email leaves the old one (and its DM channel); a new id for an email drops the old DM.</summary>
    public void SaveSlackIdentity(string email, string userId, string? timeZone, DateTimeOffset seen) =>
        InTransaction(ambient =>
        {
            using var batch = new NpgsqlBatch(ambient.Connection, ambient.Transaction);
            var id = email.ToLowerInvariant();
            batch.BatchCommands.Add(BatchCommand("UPDATE identities SET slack = NULL, dm = NULL WHERE slack = @slack AND email <> @email",
                ("slack", userId), ("email", id)));
            batch.BatchCommands.Add(BatchCommand("""
                INSERT INTO identities (email, slack, tz, seen) VALUES (@email, @slack, @tz, @seen)
                ON CONFLICT (email) DO UPDATE SET
                    dm = CASE WHEN identities.slack IS NOT NULL AND identities.slack <> excluded.slack THEN NULL ELSE identities.dm END,
                    slack = excluded.slack, tz = excluded.tz, seen = excluded.seen
                """, ("email", id), ("slack", userId), ("tz", timeZone), ("seen", seen)));
            batch.ExecuteNonQuery();
        });

    // ---- Teams members ---------------------------------------------------------------------------------------

    public void SaveTeamsMember(string userId, string? aadObjectId, string? email, string? tenantId, string serviceUrl, string? personal) =>
        Execute("""
            INSERT INTO teams_members (user_id, aad, email, tenant, service_url, personal) VALUES (@user, @aad, @email, @tenant, @url, @personal)
            ON CONFLICT (user_id) DO UPDATE SET
                aad = COALESCE(excluded.aad, teams_members.aad),
                email = COALESCE(excluded.email, teams_members.email),
                tenant = COALESCE(excluded.tenant, teams_members.tenant),
                service_url = excluded.service_url,
                personal = COALESCE(excluded.personal, teams_members.personal)
            """,
            ("user", userId), ("aad", Blank(aadObjectId)), ("email", Blank(email)?.ToLowerInvariant()), ("tenant", Blank(tenantId)),
            ("url", serviceUrl), ("personal", personal));

    private static string? Blank(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private const string MemberColumns = "user_id, aad, email, tenant, service_url, personal";

    public TeamsMemberRecord? TeamsMemberByUserId(string userId) =>
        Query($"SELECT {MemberColumns} FROM teams_members WHERE user_id = @v", ToMember, ("v", userId)).FirstOrDefault();

    public TeamsMemberRecord? TeamsMemberByEmail(string email) =>
        Query($"SELECT {MemberColumns} FROM teams_members WHERE email = @v ORDER BY user_id LIMIT 1", ToMember, ("v", email.Trim().ToLowerInvariant())).FirstOrDefault();

    public TeamsMemberRecord? TeamsMemberByAadObjectId(string aadObjectId) =>
        Query($"SELECT {MemberColumns} FROM teams_members WHERE aad = @v ORDER BY user_id LIMIT 1", ToMember, ("v", aadObjectId)).FirstOrDefault();

    private static TeamsMemberRecord ToMember(NpgsqlDataReader r) =>
        new(r.GetString(0), Text(r, "aad"), Text(r, "email"), Text(r, "tenant"), r.GetString(4), Text(r, "personal"));

    // ---- cards and last spoke --------------------------------------------------------------------------------

    public void SaveCard(string instanceId, string assignmentId, string platform, string channel, string messageId) =>
        Execute("""
            INSERT INTO cards (instance, assignment, platform, channel, message) VALUES (@instance, @assignment, @platform, @channel, @message)
            ON CONFLICT (instance, assignment) DO UPDATE SET platform = excluded.platform, channel = excluded.channel, message = excluded.message
            """, ("instance", instanceId), ("assignment", assignmentId), ("platform", platform), ("channel", channel), ("message", messageId));

    public PostedCard? FindCard(string instanceId, string assignmentId) =>
        Query("SELECT platform, channel, message FROM cards WHERE instance = @instance AND assignment = @assignment",
            r => new PostedCard(r.GetString(0), r.GetString(1), r.GetString(2)), ("instance", instanceId), ("assignment", assignmentId)).FirstOrDefault();

    public void SaveLastSpoke(string email, string platform) =>
        Execute("INSERT INTO last_spoke (email, platform) VALUES (@email, @platform) ON CONFLICT (email) DO UPDATE SET platform = excluded.platform",
            ("email", email.Trim().ToLowerInvariant()), ("platform", platform));

    public string? LastSpoke(string email) =>
        Scalar<string>("SELECT platform FROM last_spoke WHERE email = @email", ("email", email.Trim().ToLowerInvariant()));

    // ---- digests ---------------------------------------------------------------------------------------------

    /// <summary>Atomic across hosts: the row is written (or moved to a new day) by exactly one of them.</summary>
    public bool TryMarkDigest(string email, DateOnly localDate) =>
        Execute("""
            INSERT INTO digests (email, day) VALUES (@email, @day)
            ON CONFLICT (email) DO UPDATE SET day = excluded.day WHERE digests.day <> excluded.day
            """, ("email", email.ToLowerInvariant()), ("day", localDate)) == 1;

    // ---- API keys --------------------------------------------------------------------------------------------

    private const string KeyColumns = "name, hash, system, created, last_used, revoked";

    public bool InsertApiKey(ApiKeyRow row) =>
        Execute($"""
            INSERT INTO api_keys ({KeyColumns}) VALUES (@name, @hash, @system, @created, @last_used, @revoked) ON CONFLICT DO NOTHING
            """,
            ("name", row.Name), ("hash", row.Hash), ("system", row.System), ("created", row.Created), ("last_used", row.LastUsed), ("revoked", row.Revoked)) == 1;

    public ApiKeyRow? ApiKeyByName(string name) => Query($"SELECT {KeyColumns} FROM api_keys WHERE name = @v", ToKey, ("v", name)).FirstOrDefault();

    public ApiKeyRow? ApiKeyByHash(string hash) => Query($"SELECT {KeyColumns} FROM api_keys WHERE hash = @v", ToKey, ("v", hash)).FirstOrDefault();

    public IReadOnlyList<ApiKeyRow> AllApiKeys() => Query($"SELECT {KeyColumns} FROM api_keys ORDER BY name", ToKey);

    public bool RevokeApiKey(string name, DateTimeOffset at) =>
        Execute("UPDATE api_keys SET revoked = @at WHERE name = @name AND revoked IS NULL", ("name", name), ("at", at)) == 1;

    public void TouchApiKey(string name, DateTimeOffset at) =>
        Execute("UPDATE api_keys SET last_used = @at WHERE name = @name", ("name", name), ("at", at));

    private static ApiKeyRow ToKey(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), Text(r, "system"), Time(r, "created")!.Value, Time(r, "last_used"), Time(r, "revoked"));

    // ---- delegations -----------------------------------------------------------------------------------------

    private sealed class PostgresDelegations(PostgresStore store) : IDelegationStore
    {
        public IReadOnlyList<Delegation> All() =>
            store.Query("SELECT delegator, delegate, until, ends, since, via FROM delegations ORDER BY delegator", r => new Delegation
            {
                From = r.GetString(0),
                To = r.GetString(1),
                Until = r.IsDBNull(2) ? null : r.GetFieldValue<DateOnly>(2),
                Ends = Time(r, "ends"),
                Since = Time(r, "since")!.Value,
                Via = Text(r, "via"),
            });

        public void Save(Delegation delegation) =>
            store.Execute("""
                INSERT INTO delegations (delegator, delegate, until, ends, since, via) VALUES (@from, @to, @until, @ends, @since, @via)
                ON CONFLICT (delegator) DO UPDATE SET delegate = excluded.delegate, until = excluded.until, ends = excluded.ends,
                    since = excluded.since, via = excluded.via
                """,
                ("from", delegation.From.ToLowerInvariant()), ("to", delegation.To.ToLowerInvariant()), ("until", delegation.Until),
                ("ends", delegation.Ends), ("since", delegation.Since), ("via", delegation.Via));

        public bool Remove(string from) =>
            store.Execute("DELETE FROM delegations WHERE delegator = @from", ("from", from.Trim().ToLowerInvariant())) > 0;
    }
}
