using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Core.People;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>
/// What every store promises through the ports, run against each provider (LiteDB, PostgreSQL). "Two hosts" are two store
/// objects on one database where the provider allows it (PostgreSQL), and one store with two owners where it does not
/// (LiteDB: one process holds the file); claims, leases and digests are judged by owner either way.
/// </summary>
public abstract class StoreContract : IDisposable
{
    protected static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string[] Everything = [];
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private readonly FakeTimeProvider _clock = new(Monday);
    private readonly List<IStore> _opened = [];
    private IStore? _store;
    private IStore? _other;

    /// <summary>A store on this test's database or file.</summary>
    internal abstract IStore Open(TimeProvider time, byte[] auditKey);

    /// <summary>Another host on the same database; a provider that allows one process per file returns <paramref name="first"/>.</summary>
    internal abstract IStore OpenAnother(IStore first, TimeProvider time, byte[] auditKey);

    /// <summary>Changes <paramref name="instance"/> so that this store cannot save it.</summary>
    internal abstract void Spoil(WorkflowInstance instance);

    /// <summary>Edits one stored audit event's text behind the store's back.</summary>
    internal abstract void Tamper(IStore store, string instanceId, int seq, string text);

    internal IStore Store => _store ??= Track(Open(_clock, Key));

    /// <summary>The second host.</summary>
    internal IStore Other => _other ??= OpenAnother(Store, _clock, Key) is var other && other == Store ? other : Track(other);

    private IStore Track(IStore store)
    {
        _opened.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _opened) store.Dispose();
        GC.SuppressFinalize(this);
    }

    private WorkflowEngine Engine(IStore? store = null)
    {
        var definitions = DefinitionLoader.Parse("""
            id: two
            name: Two
            inputs:
              - { id: item, label: Item, type: text }
            steps:
              - id: check
                title: "Check {{item}}"
                assignees: [person:bob@example.com, person:carol@example.com]
                mode: all
                remind: 4h
                due: 1d
            """, "two.yaml");
        var orphan = DefinitionLoader.Parse("""
            id: orphan
            name: Orphan
            steps:
              - id: nobody
                title: Nobody
                assignees: role:ghosts
            """, "orphan.yaml");
        var people = DirectoryLoader.Parse("""
            people:
              - { email: alice@example.com, name: Alice }
              - { email: bob@example.com, name: Bob }
              - { email: carol@example.com, name: Carol, roles: [admin] }
              - { email: dave@example.com, name: Dave }
            """, "directory.yaml");
        var catalog = new Catalog();
        catalog.Replace([.. definitions.Definitions, .. orphan.Definitions], people.Directory, []);
        var on = store ?? Store;
        return new WorkflowEngine(catalog, on, _clock, on.Delegations);
    }

    private WorkflowInstance Start(string requester = "alice@example.com", string item = "Pen", string workflow = "two", IStore? store = null) =>
        Engine(store).Start(workflow, workflow == "two" ? new Dictionary<string, string> { ["item"] = item } : [], requester, "slack").Instance
        ?? throw new InvalidOperationException("not started");

    private static IEnumerable<string> Sorted(params string[] ids) => ids.Order(StringComparer.Ordinal);

    private static NotifyPerson Note(string instanceId, string text) => new() { Recipient = "bob@example.com", InstanceId = instanceId, Text = text };

    // ---- instances -------------------------------------------------------------------------------------------

    [SkippableFact]
    public void An_instance_reads_back_as_it_was_stored_with_its_definition_kept_once()
    {
        var first = Start(item: "Pen");
        Start(item: "Ink");

        var read = Store.Get(first.Id)!;
        Assert.Equal(first.Id, read.Id);
        Assert.Equal("Pen", read.Inputs["item"]);
        Assert.Equal("Two", read.Definition.Name);
        Assert.Equal(first.History.Select(h => h.Text), read.History.Select(h => h.Text));
        Assert.Equal(2, Store.CountInstances());
        Assert.Equal(1, Store.CountDefinitionVersions());
        Assert.Null(Store.Get("two-99"));
    }

    [SkippableFact]
    public void Instance_numbers_are_never_handed_out_twice_even_by_two_hosts_at_once()
    {
        var hosts = new[] { Store, Other };
        var numbers = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 60, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i => numbers.Add(hosts[i % 2].NextNumber("two")));

        Assert.Equal(Enumerable.Range(1, 60), numbers.Order());
        Assert.Equal(1, Store.NextNumber("other"));
    }

    [SkippableFact]
    public void A_change_from_a_stale_revision_is_refused_and_writes_nothing()
    {
        var started = Start();
        var outbox = Store.AllOutbox().Count;
        var audit = Store.AuditOf(started.Id).Count;
        var stale = Store.Get(started.Id)!;
        stale.Inputs["item"] = "Changed";
        stale.History.Add(new InstanceEvent(Monday, EventKind.Commented, "bob@example.com", null, "sneaky"));
        stale.Revision = started.Revision + 1;

        Assert.False(Store.TryUpdate(stale, started.Revision + 5, [Note(started.Id, "hello")]));
        Assert.False(Other.TryUpdate(stale, started.Revision - 1, []));

        Assert.Equal("Pen", Store.Get(started.Id)!.Inputs["item"]);
        Assert.Equal(outbox, Store.AllOutbox().Count);
        Assert.Equal(audit, Store.AuditOf(started.Id).Count);
    }

    [SkippableFact]
    public void A_change_lands_with_its_audit_events_and_its_outbox_messages()
    {
        var changes = new List<InstanceChange>();
        Store.Committed += changes.Add;
        var started = Start();
        var decided = Engine().Decide(started.Id, "check.1", "bob@example.com", Verdict.Approve, "fine", "slack");
        Assert.True(decided.Recorded, decided.Message);

        var stored = Store.Get(started.Id)!;
        Assert.Equal(stored.History.Count, Store.AuditOf(started.Id).Count);
        Assert.Equal(stored.History.Select(h => h.Text), Store.AuditOf(started.Id).Select(a => a.Text));
        var effects = Store.AllOutbox().Where(o => o.Kind == OutboxKinds.Effect && o.InstanceId == started.Id).ToList();
        Assert.Contains(effects, o => o.Key == $"{started.Id}/r{started.Revision}/0");
        Assert.Contains(effects, o => o.Key == $"{started.Id}/r{stored.Revision}/0");
        Assert.All(effects, o => Assert.Equal(OutboxState.Pending, o.State));
        Assert.Equal(effects.Count, Store.EffectsOf(started.Id).Count);
        Assert.Contains(changes, c => c.Instance.Id == started.Id && c.NewEvents.Any(e => e.Kind == EventKind.Decided));
        Assert.True(Store.VerifyAudit(Key).Intact, string.Join("; ", Store.VerifyAudit(Key).Problems));
    }

    [SkippableFact]
    public void A_change_the_store_cannot_save_sets_the_instance_aside_until_a_change_of_it_is_stored()
    {
        var started = Start();
        var bad = Store.Get(started.Id)!;
        bad.History.Add(new InstanceEvent(Monday, EventKind.Commented, "bob@example.com", null, "the change that fails"));
        Spoil(bad);
        bad.Revision = started.Revision + 1;

        var refused = Assert.Throws<InstanceNotSavedException>(() => Store.TryUpdate(bad, started.Revision, [Note(started.Id, "lost")]));
        Assert.Equal(started.Id, refused.InstanceId);
        var aside = Assert.Single(Store.SetAside());
        Assert.Equal(started.Id, aside.InstanceId);
        Assert.Contains("the change that fails", aside.What);
        Assert.Equal(started.Revision, Store.Get(started.Id)!.Revision);
        Assert.DoesNotContain(Store.AllOutbox(), o => o.Payload.Contains("lost"));

        Assert.True(Engine().Decide(started.Id, "check.1", "bob@example.com", Verdict.Approve, null, "slack").Recorded);
        Assert.Empty(Store.SetAside());
    }

    [SkippableFact]
    public void A_batch_commits_every_change_together_or_none_of_them()
    {
        var first = Start(item: "One");
        var second = Start(item: "Two");
        var engine = Engine();

        Assert.ThrowsAny<InvalidOperationException>(() => Store.Batch(() =>
        {
            Assert.True(engine.Decide(first.Id, "check.1", "bob@example.com", Verdict.Approve, null, "slack").Recorded);
            Store.Batch(() => Assert.True(engine.Decide(second.Id, "check.1", "bob@example.com", Verdict.Approve, null, "slack").Recorded));
            throw new InvalidOperationException("the tick failed");
        }));
        Assert.Equal(first.Revision, Store.Get(first.Id)!.Revision);
        Assert.Equal(second.Revision, Store.Get(second.Id)!.Revision);

        Store.Batch(() =>
        {
            engine.Decide(first.Id, "check.1", "bob@example.com", Verdict.Approve, null, "slack");
            engine.Decide(second.Id, "check.1", "bob@example.com", Verdict.Approve, null, "slack");
        });
        Assert.True(Store.Get(first.Id)!.Revision > first.Revision);
        Assert.True(Store.Get(second.Id)!.Revision > second.Revision);
        Assert.True(Store.VerifyAudit(Key).Intact);
    }

    [SkippableFact]
    public void The_queries_find_what_each_screen_asks_for()
    {
        var pen = Start("alice@example.com", "Pen");
        var ink = Start("Alice@Example.com", "Ink");
        var dave = Start("dave@example.com", "Desk");
        var orphan = Start("dave@example.com", workflow: "orphan");
        Engine().Decide(pen.Id, "check.1", "bob@example.com", Verdict.Approve, null, "slack");

        Assert.Equal(Sorted(ink.Id, pen.Id), Store.StartedBy("alice@example.com", 10).Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Single(Store.StartedBy("alice@example.com", 1));
        Assert.Equal(Sorted(dave.Id, ink.Id), Store.WaitingOn("Bob@Example.com ").Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(Sorted(dave.Id, ink.Id, pen.Id), Store.WaitingOn("carol@example.com").Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Empty(Store.WaitingOn("alice@example.com"));

        Assert.Equal([orphan.Id], Store.Unowned().Select(i => i.Id));
        Assert.Equal([orphan.Id], Store.NeedingAdmin().Select(i => i.Id));
        Assert.Empty(Store.DueInstanceIds(Monday, 10));
        Assert.Equal(3, Store.DueInstanceIds(Monday.AddHours(5), 10).Count(id => id != orphan.Id));
        Assert.Single(Store.DueInstanceIds(Monday.AddHours(5), 1));
        Assert.Empty(Store.Overdue(Monday.AddHours(5)));
        Assert.Equal(Sorted(dave.Id, ink.Id, pen.Id), Store.Overdue(Monday.AddDays(2)).Select(i => i.Id).Order(StringComparer.Ordinal));

        var page = Store.ListInstances(null, "two", null, 2);
        Assert.Equal(2, page.Count);
        var rest = Store.ListInstances(null, "two", page[^1].Id, 2);
        Assert.Equal(Sorted(dave.Id, ink.Id, pen.Id), page.Concat(rest).Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal([orphan.Id], Store.ListInstances(nameof(InstanceState.Open), "orphan", null, 10).Select(i => i.Id));
        Assert.Empty(Store.ListInstances(nameof(InstanceState.Completed), null, null, 10));
        Assert.Equal(4, Store.ListInstances(null, null, null, 10).Count);
    }

    // ---- outbox ----------------------------------------------------------------------------------------------

    private IReadOnlyList<OutboxItem> Claim(IStore store, string owner, int limit = 100, DateTimeOffset? at = null, TimeSpan? lease = null, IReadOnlyCollection<string>? skip = null) =>
        store.ClaimOutbox(Everything, except: true, owner, at ?? Monday, lease ?? TimeSpan.FromMinutes(1), limit, skip ?? []);

    [SkippableFact]
    public void A_claimed_message_is_leased_to_one_host()
    {
        for (var n = 0; n < 5; n++) Assert.True(Store.Enqueue("slack.home", $"home/{n}", null, $"U{n}", "{}"));
        Assert.False(Store.Enqueue("slack.home", "home/0", null, "U0", "{}"));

        var a = Claim(Store, "host-a", limit: 3);
        var b = Claim(Other, "host-b");
        Assert.Equal(["home/0", "home/1", "home/2"], a.Select(i => i.Key));
        Assert.Equal(["home/3", "home/4"], b.Select(i => i.Key));
        Assert.Empty(Claim(Other, "host-b"));
        Assert.Empty(Claim(Store, "host-a"));
    }

    [SkippableFact]
    public void Two_hosts_claiming_at_once_never_take_the_same_message()
    {
        for (var n = 0; n < 120; n++) Store.Enqueue("slack.home", $"home/{n}", n % 3 == 0 ? $"i-{n % 12}" : null, null, "{}");
        var taken = new System.Collections.Concurrent.ConcurrentBag<(string Owner, long Id)>();
        var hosts = new[] { (Store, "host-a"), (Other, "host-b"), (Store, "host-c"), (Other, "host-d") };
        Parallel.ForEach(hosts, host =>
        {
            // Each host delivers what it claimed at once, so an instance's next message becomes claimable.
            for (var idle = 0; idle < 3;)
            {
                var claimed = Claim(host.Item1, host.Item2, limit: 7);
                if (claimed.Count == 0) idle++;
                foreach (var item in claimed)
                {
                    taken.Add((host.Item2, item.Id));
                    host.Item1.MarkDelivered(item.Id, Monday);
                }
            }
        });

        Assert.Equal(taken.Count, taken.Select(t => t.Id).Distinct().Count());
        Assert.All(Store.AllOutbox(), o => Assert.Equal(OutboxState.Delivered, o.State));
        Assert.Equal(120, taken.Count);
    }

    [SkippableFact]
    public void Only_the_first_pending_message_of_an_instance_can_be_claimed()
    {
        Store.Enqueue("slack.home", "one/a", "one", "U1", "{}");
        Store.Enqueue("slack.home", "one/b", "one", "U1", "{}");
        Store.Enqueue("slack.home", "two/a", "two", "U2", "{}");
        Store.Enqueue("webhook", "one/hook", "one", "https://example.com", "{}");

        var first = Claim(Store, "host-a");
        Assert.Equal(["one/a", "two/a"], first.Select(i => i.Key));
        Assert.Equal(["one/hook"], Store.ClaimOutbox(["webhook"], false, "host-b", Monday, TimeSpan.FromMinutes(1), 10, []).Select(i => i.Key));
        Assert.Empty(Claim(Other, "host-b"));

        Store.MarkDelivered(first[0].Id, Monday);
        Assert.Equal(["one/b"], Claim(Other, "host-b").Select(i => i.Key));
    }

    [SkippableFact]
    public void A_message_not_due_or_to_a_skipped_recipient_holds_its_instance_back()
    {
        Store.Enqueue("slack.home", "one/a", "one", "U1", "{}");
        Store.Enqueue("slack.home", "one/b", "one", "U2", "{}");
        Store.Enqueue("slack.home", "solo", null, "U1", "{}");

        Assert.Empty(Claim(Store, "host-a", skip: ["U1"]));
        var claimed = Claim(Store, "host-a", limit: 1);
        Store.MarkRetry(claimed[0].Id, Monday.AddMinutes(5), "busy");
        var solo = Assert.Single(Claim(Other, "host-b"));
        Assert.Equal("solo", solo.Key);
        Other.MarkDelivered(solo.Id, Monday);
        var again = Assert.Single(Claim(Other, "host-c", at: Monday.AddMinutes(5)));
        Assert.Equal("one/a", again.Key);
        Assert.Equal(1, again.Attempts);
        Assert.Equal("busy", again.Error);
    }

    [SkippableFact]
    public void An_expired_lease_lets_another_host_finish_the_work()
    {
        Store.Enqueue("slack.home", "one/a", "one", "U1", "{}");
        var dead = Assert.Single(Claim(Store, "host-a", lease: TimeSpan.FromMinutes(1)));
        Store.MarkTryStarted(dead.Id);

        Assert.Empty(Claim(Other, "host-b", at: Monday.AddSeconds(30)));
        var taken = Assert.Single(Claim(Other, "host-b", at: Monday.AddMinutes(2)));
        Assert.Equal(dead.Id, taken.Id);
        Assert.Equal(1, taken.TriesStarted);
    }

    [SkippableFact]
    public void Recording_an_outcome_ends_the_claim()
    {
        Store.Enqueue("slack.home", "a", null, "U1", "{}");
        Store.Enqueue("slack.home", "b", null, "U2", "{}");
        Store.Enqueue("slack.home", "c", null, "U3", "{}");
        var claimed = Claim(Store, "host-a");
        Assert.Equal(3, claimed.Count);

        Store.MarkDeferred(claimed[0].Id, Monday);
        Store.ReleaseOutbox(claimed[1].Id, Monday);
        Store.MarkFailed(claimed[2].Id, "no such channel");

        Assert.Equal(["a", "b"], Claim(Other, "host-b").Select(i => i.Key));
        Assert.Equal(1, Store.CountFailedOutbox());
        var failed = Store.GetOutbox(claimed[2].Id)!;
        Assert.Equal(OutboxState.Failed, failed.State);
        Assert.Equal("no such channel", failed.Error);
        Assert.Equal(0, Store.GetOutbox(claimed[0].Id)!.Attempts);
    }

    [SkippableFact]
    public void Pruning_deletes_old_delivered_messages_but_not_pending_ones_nor_those_of_open_instances()
    {
        var open = Start();
        Store.Enqueue("slack.home", "old", null, "U1", "{}");
        Store.Enqueue("slack.home", "pending", null, "U2", "{}");
        var all = Store.AllOutbox();
        Store.MarkDelivered(all.Single(o => o.Key == "old").Id, Monday);
        foreach (var effect in all.Where(o => o.InstanceId == open.Id)) Store.MarkDelivered(effect.Id, Monday);

        var (deleted, seen) = Store.PruneDelivered(Monday.AddDays(1), 0, 100);

        Assert.Equal(1, deleted);
        Assert.Equal(1 + all.Count(o => o.InstanceId == open.Id), seen);
        Assert.DoesNotContain(Store.AllOutbox(), o => o.Key == "old");
        Assert.Contains(Store.AllOutbox(), o => o.Key == "pending");
        Assert.Equal(0, Store.PruneDelivered(Monday.AddDays(-1), 0, 100).Deleted);
    }

    [SkippableFact]
    public void A_commit_that_adds_messages_wakes_the_dispatcher()
    {
        var woken = 0;
        Store.OutboxChanged += () => Interlocked.Increment(ref woken);
        Start();
        Assert.True(woken > 0);
        var before = woken;
        Store.Enqueue("slack.home", "home", null, "U1", "{}");
        Assert.True(woken > before);
    }

    // ---- inbox -----------------------------------------------------------------------------------------------

    [SkippableFact]
    public void A_request_is_recorded_once()
    {
        Assert.True(Store.TryRecordInbound("ev-1", "event", "{}", "U1", Monday));
        Assert.False(Other.TryRecordInbound("ev-1", "event", "{}", "U1", Monday));
        Assert.Equal(1, Store.CountInbound());
        Assert.False(Store.IsInboundDone("ev-1"));
    }

    [SkippableFact]
    public void Requests_are_claimed_in_order_and_a_person_held_by_one_host_is_skipped_by_the_other()
    {
        Store.TryRecordInbound("a1", "command", "a1", "alice", Monday);
        Store.TryRecordInbound("b1", "command", "b1", "bob", Monday.AddSeconds(1));
        Store.TryRecordInbound("a2", "command", "a2", "alice", Monday.AddSeconds(2));
        Store.TryRecordInbound("x", "event", "x", null, Monday.AddSeconds(3));

        var a = Store.ClaimInbound("host-a", Monday.AddSeconds(5), TimeSpan.FromMinutes(1), 1);
        Assert.Equal(["a1"], a.Select(i => i.Key));
        Assert.Equal("alice", a[0].Partition);
        var b = Other.ClaimInbound("host-b", Monday.AddSeconds(5), TimeSpan.FromMinutes(1), 10);
        Assert.Equal(["b1", "x"], b.Select(i => i.Key));
        Assert.Equal(["a1", "a2"], Store.ClaimInbound("host-a", Monday.AddSeconds(6), TimeSpan.FromMinutes(1), 10).Select(i => i.Key));

        // host-a died: once its leases run out, alice's requests go to host-b, in order.
        Assert.Equal(["a1", "a2"], Other.ClaimInbound("host-b", Monday.AddMinutes(5), TimeSpan.FromMinutes(1), 10).Select(i => i.Key).Where(k => k.StartsWith('a')));
    }

    [SkippableFact]
    public void A_request_done_by_another_host_rolls_back_the_work_done_for_it_again()
    {
        Store.TryRecordInbound("ev-1", "event", "{}", "U1", Monday);
        Store.MarkInboundDone("ev-1");
        Assert.True(Other.IsInboundDone("ev-1"));

        Assert.Throws<InboundAlreadyDoneException>(() => Other.Batch(() =>
        {
            Other.Enqueue("slack.respond", "answer-twice", null, null, "{}");
            Other.MarkInboundDone("ev-1");
        }));
        Assert.DoesNotContain(Store.AllOutbox(), o => o.Key == "answer-twice");

        Store.TryRecordInbound("ev-2", "event", "{}", "U1", Monday);
        Other.Batch(() =>
        {
            Other.Enqueue("slack.respond", "answer-once", null, null, "{}");
            Other.MarkInboundDone("ev-2");
        });
        Assert.Contains(Store.AllOutbox(), o => o.Key == "answer-once");
        Assert.True(Store.IsInboundDone("ev-2"));
        Assert.Empty(Store.ClaimInbound("host-a", Monday, TimeSpan.FromMinutes(1), 10));
    }

    [SkippableFact]
    public void Pruning_deletes_old_finished_requests_only()
    {
        Store.TryRecordInbound("old-done", "event", "{}", null, Monday);
        Store.TryRecordInbound("old-open", "event", "{}", null, Monday);
        Store.TryRecordInbound("new-done", "event", "{}", null, Monday.AddDays(2));
        Store.MarkInboundDone("old-done");
        Store.MarkInboundDone("new-done");

        Assert.Equal(1, Store.PruneFinishedInbound(Monday.AddDays(1), 100));
        Assert.Equal(2, Store.CountInbound());
        Assert.False(Store.IsInboundDone("old-open"));
    }

    // ---- people, cards, digests, keys, delegations -----------------------------------------------------------

    [SkippableFact]
    public void A_slack_id_that_moves_to_another_email_leaves_the_old_one()
    {
        Store.SaveSlackIdentity("Bob@Example.com", "U1", "Europe/Paris", Monday);
        Store.SaveSlackDirectChannel("bob@example.com", "D1");
        Store.MarkHomeOpened("bob@example.com");
        Assert.Equal("U1", Other.SlackUserOf("bob@example.com"));
        Assert.Equal(("bob@example.com", "Europe/Paris", (DateTimeOffset?)Monday), Other.SlackIdentityOf("U1"));
        Assert.Equal(("bob@example.com", (string?)"Europe/Paris"), Other.EmailOfSlackUser("U1"));
        Assert.Equal("D1", Other.SlackDirectChannelOf("bob@example.com"));
        Assert.Equal("Europe/Paris", Other.SlackTimeZoneOf("bob@example.com"));
        Assert.True(Other.HomeOpened("bob@example.com"));
        Assert.False(Other.HomeOpened("carol@example.com"));

        Other.SaveSlackIdentity("robert@example.com", "U1", null, Monday.AddDays(1));
        Assert.Null(Store.SlackUserOf("bob@example.com"));
        Assert.Null(Store.SlackDirectChannelOf("bob@example.com"));
        Assert.Equal("robert@example.com", Store.SlackIdentityOf("U1")!.Value.Email);

        Store.SaveSlackDirectChannel("robert@example.com", "D2");
        Store.SaveSlackIdentity("robert@example.com", "U9", null, Monday.AddDays(2));
        Assert.Null(Store.SlackDirectChannelOf("robert@example.com"));
        Assert.Null(Store.SlackIdentityOf("U1"));
    }

    [SkippableFact]
    public void A_teams_member_keeps_what_a_later_sighting_does_not_say()
    {
        Store.SaveTeamsMember("29:1", "aad-1", "Bob@Example.com", "tenant", "https://smba/1", """{"conversation":{"id":"a:1"}}""");
        Other.SaveTeamsMember("29:1", null, null, null, "https://smba/2", null);

        var member = Store.TeamsMemberByEmail(" bob@example.com")!;
        Assert.Equal(new TeamsMemberRecord("29:1", "aad-1", "bob@example.com", "tenant", "https://smba/2", """{"conversation":{"id":"a:1"}}"""), member);
        Assert.Equal(member, Store.TeamsMemberByAadObjectId("aad-1"));
        Assert.Equal(member, Store.TeamsMemberByUserId("29:1"));
        Assert.Null(Store.TeamsMemberByUserId("29:2"));
    }

    [SkippableFact]
    public void Cards_and_the_platform_last_spoken_on_are_remembered()
    {
        Store.SaveCard("two-1", "check.1", "slack", "D1", "1.0");
        Other.SaveCard("two-1", "check.1", "teams", "a:1", "m-2");
        Assert.Equal(new PostedCard("teams", "a:1", "m-2"), Store.FindCard("two-1", "check.1"));
        Assert.Null(Store.FindCard("two-1", "check.2"));

        Store.SaveLastSpoke("Bob@Example.com", "slack");
        Other.SaveLastSpoke("bob@example.com ", "teams");
        Assert.Equal("teams", Store.LastSpoke("BOB@example.com"));
        Assert.Null(Store.LastSpoke("carol@example.com"));
    }

    [SkippableFact]
    public void A_digest_goes_once_per_person_per_day_across_hosts()
    {
        var monday = new DateOnly(2026, 3, 2);
        var hosts = new[] { Store, Other, Store, Other };
        var won = 0;
        Parallel.For(0, 8, i =>
        {
            if (hosts[i % 4].TryMarkDigest("bob@example.com", monday)) Interlocked.Increment(ref won);
        });
        Assert.Equal(1, won);
        Assert.False(Store.TryMarkDigest("Bob@Example.com", monday));
        Assert.True(Other.TryMarkDigest("bob@example.com", monday.AddDays(1)));
        Assert.True(Store.TryMarkDigest("carol@example.com", monday));
    }

    [SkippableFact]
    public void An_api_key_is_created_once_found_by_hash_and_revoked_once()
    {
        var row = new ApiKeyRow("jira", "hash-1", "jira", Monday, null, null);
        Assert.True(Store.InsertApiKey(row));
        Assert.False(Other.InsertApiKey(row with { Hash = "hash-2" }));
        Assert.True(Store.InsertApiKey(new ApiKeyRow("audit", "hash-3", null, Monday, null, null)));

        Assert.Equal(row, Other.ApiKeyByHash("hash-1"));
        Assert.Equal(["audit", "jira"], Store.AllApiKeys().Select(k => k.Name));
        Assert.Null(Store.ApiKeyByName("nope"));

        Other.TouchApiKey("jira", Monday.AddMinutes(3));
        Assert.Equal(Monday.AddMinutes(3), Store.ApiKeyByName("jira")!.LastUsed);
        Assert.True(Store.RevokeApiKey("jira", Monday.AddHours(1)));
        Assert.False(Other.RevokeApiKey("jira", Monday.AddHours(2)));
        Assert.False(Other.RevokeApiKey("nope", Monday.AddHours(2)));
        Assert.Equal(Monday.AddHours(1), Other.ApiKeyByHash("hash-1")!.Revoked);
    }

    [SkippableFact]
    public void Delegations_are_kept_one_per_person()
    {
        var ends = new DateTimeOffset(2026, 3, 6, 23, 0, 0, TimeSpan.Zero);
        Store.Delegations.Save(new Delegation { From = "Bob@Example.com", To = "frank@example.com", Until = new DateOnly(2026, 3, 6), Ends = ends, Since = Monday, Via = "teams" });
        Other.Delegations.Save(new Delegation { From = "bob@example.com", To = "dave@example.com", Since = Monday.AddHours(1) });

        var stored = Assert.Single(Store.Delegations.All());
        Assert.Equal(("bob@example.com", "dave@example.com", (DateOnly?)null, (DateTimeOffset?)null, Monday.AddHours(1), (string?)null),
            (stored.From, stored.To, stored.Until, stored.Ends, stored.Since, stored.Via));
        Assert.True(Other.Delegations.Remove(" BOB@example.com"));
        Assert.False(Store.Delegations.Remove("bob@example.com"));
        Assert.Empty(Store.Delegations.All());
    }

    // ---- audit -----------------------------------------------------------------------------------------------

    [SkippableFact]
    public void Verifying_the_audit_trail_finds_an_event_edited_behind_the_stores_back()
    {
        var started = Start();
        Engine().Decide(started.Id, "check.1", "bob@example.com", Verdict.Approve, "ok", "slack");
        var intact = Store.VerifyAudit(Key);
        Assert.True(intact.Intact, string.Join("; ", intact.Problems));
        Assert.Equal(1, intact.Chains);
        Assert.Equal(Store.Get(started.Id)!.History.Count, intact.Events);
        Assert.Equal(intact.Events, Store.AllAudit().Count());

        Tamper(Store, started.Id, 1, "nothing happened here");

        var report = Other.VerifyAudit(Key);
        Assert.False(report.Intact);
        Assert.Contains(report.Problems, p => p.StartsWith($"{started.Id} #1:", StringComparison.Ordinal));
        Assert.Equal(intact.Events, report.Events);
    }

    // ---- cluster ---------------------------------------------------------------------------------------------

    [SkippableFact]
    public void A_lock_is_held_by_one_host_until_it_is_released()
    {
        var held = Store.TryLock("tick");
        Assert.NotNull(held);
        Assert.Null(Other.TryLock("tick"));
        Assert.Null(Store.TryLock("tick"));
        using (var other = Other.TryLock("retention")) Assert.NotNull(other);

        held!.Dispose();
        using var taken = Other.TryLock("tick");
        Assert.NotNull(taken);
    }

    [SkippableFact]
    public async Task A_signal_reaches_every_host()
    {
        var here = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var there = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Store.Signal += (topic, payload) => { if (topic == "reload") here.TrySetResult(payload); };
        Other.Signal += (topic, payload) => { if (topic == "reload") there.TrySetResult(payload); };

        Store.Publish("reload", "by carol");

        Assert.Equal("by carol", await here.Task.WaitAsync(Patience));
        Assert.Equal("by carol", await there.Task.WaitAsync(Patience));
    }

    [SkippableFact]
    public void A_channel_takes_one_post_per_pace_across_hosts()
    {
        var pace = TimeSpan.FromSeconds(1);
        Assert.Null(Store.TryTakeChannelSlot("D1", Monday, pace));
        Assert.Equal(TimeSpan.FromMilliseconds(600), Other.TryTakeChannelSlot("D1", Monday.AddMilliseconds(400), pace));
        Assert.Null(Other.TryTakeChannelSlot("D2", Monday.AddMilliseconds(400), pace));
        Assert.Null(Other.TryTakeChannelSlot("D1", Monday.AddSeconds(1), pace));
        Assert.NotNull(Store.TryTakeChannelSlot("D1", Monday.AddSeconds(1.5), pace));
    }

    [SkippableFact]
    public void The_store_says_what_it_is_and_that_it_answers()
    {
        Assert.Contains(Store.Provider, new[] { "litedb", "postgres" });
        Assert.False(string.IsNullOrEmpty(Store.Location));
        Assert.DoesNotContain("password", Store.Location, StringComparison.OrdinalIgnoreCase);
        Assert.Null(Store.Problem());
    }
}
