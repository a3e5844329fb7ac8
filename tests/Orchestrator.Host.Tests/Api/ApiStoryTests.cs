using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Api;

public sealed class ApiStoryTests : IAsyncLifetime
{
    /// <summary>A manager approves, then the ERP system (which gets no card) creates the account through the API.</summary>
    private const string Onboarding = """
        id: onboarding
        name: Onboarding
        inputs:
          - { id: who, label: New hire, type: text, required: true }
        steps:
          - id: manager
            title: "Onboard {{who}}"
            assignees: manager
          - id: account
            kind: task
            title: "Create the account of {{who}}"
            assignees: system:erp
            due: 1d
        """;

    private SlackFake _slack = null!;
    private TestHost _host = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?> { ["Workflows:Path"] = TestWorkflows.Folder(Onboarding) });
        _key = _host.CreateKey();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task Started_through_the_api_and_approved_in_slack_the_instance_reads_completed_with_its_history()
    {
        var started = await _host.Post("/api/v1/workflows/purchase/instances", _key, """
            { "requester": "Alice@Example.com", "inputs": { "amount": 200, "item": "Keyboard" }, "external_ref": "JIRA-12" }
            """);

        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        Assert.Equal("/api/v1/instances/purchase-1", started.Headers.Location?.ToString());
        var created = await started.Json();
        Assert.Equal("open", (string?)created["state"]);
        Assert.Equal("JIRA-12", (string?)created["external_ref"]);
        Assert.Equal("alice@example.com", (string?)created["requester"]);
        Assert.Equal("manager", (string?)created["current_step"]!["id"]);
        Assert.Equal(["bob@example.com"], created["current_step"]!["owners"]!.AsArray().Select(o => (string)o!));
        Assert.NotNull((string?)created["current_step"]!["due_at"]);

        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await _slack.WaitFor(s => s.Dm(Alice).Any(m => m.AllText().Contains("is approved")), what: "Alice told approved");

        var read = await (await _host.Get("/api/v1/instances/purchase-1", _key)).Json();
        Assert.Equal("completed", (string?)read["state"]);
        Assert.Null(read["current_step"]);
        var history = read["history"]!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.Equal("started", (string?)history[0]["event"]);
        Assert.Equal("api", (string?)history[0]["via"]);
        var decided = history.Single(e => (string?)e["event"] == "decided");
        Assert.Equal("bob@example.com", (string?)decided["actor"]);
        Assert.Equal("slack", (string?)decided["via"]);
        // Bob's card may be recorded as delivered after his click was (both are changes of the instance): order only what is ordered.
        var events = history.Select(e => (string?)e["event"]).ToList();
        Assert.True(events.IndexOf("decided") < events.IndexOf("completed"), string.Join(", ", events));

        await _host.Command(_slack, Alice, "status purchase-1");
        await _slack.WaitFor(s => s.Responses().Any(r => r.Contains("ref JIRA-12")), what: "status shows the external reference");
    }

    [Fact]
    public async Task Instances_are_listed_by_state_and_workflow_a_page_at_a_time()
    {
        foreach (var item in new[] { "Pens", "Ink", "Paper" }) await _host.StartPurchase(_key, 10, item);
        await _host.Post("/api/v1/workflows/onboarding/instances", _key, """{ "requester": "alice@example.com", "inputs": { "who": "Zoe" } }""");

        var first = await (await _host.Get("/api/v1/instances?state=open&workflow=purchase&limit=2", _key)).Json();
        Assert.Equal(["purchase-1", "purchase-2"], first["items"]!.AsArray().Select(i => (string)i!["id"]!));
        Assert.Null(first["items"]![0]!["history"]);
        var next = (string?)first["next"];
        Assert.Equal("purchase-2", next);

        var second = await (await _host.Get($"/api/v1/instances?state=open&workflow=purchase&limit=2&after={next}", _key)).Json();
        Assert.Equal(["purchase-3"], second["items"]!.AsArray().Select(i => (string)i!["id"]!));
        Assert.Null((string?)second["next"]);

        var all = await (await _host.Get("/api/v1/instances?state=OPEN", _key)).Json();
        Assert.Equal(4, all["items"]!.AsArray().Count);
        var completed = await (await _host.Get("/api/v1/instances?state=completed", _key)).Json();
        Assert.Empty(completed["items"]!.AsArray());
    }

    [Fact]
    public async Task A_system_task_gets_no_card_and_is_completed_through_the_api_by_its_system()
    {
        await _host.Post("/api/v1/workflows/onboarding/instances", _key, """{ "requester": "alice@example.com", "inputs": { "who": "Zoe" } }""");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await WaitForState("onboarding-1", i => (string?)i["current_step"]?["id"] == "account");
        var waiting = await (await _host.Get("/api/v1/instances/onboarding-1", _key)).Json();
        Assert.Equal(["system:erp"], waiting["current_step"]!["owners"]!.AsArray().Select(o => (string)o!));

        var erp = _host.CreateKey("erp-prod", system: "erp");
        var wrong = await _host.Post("/api/v1/instances/onboarding-1/events", _host.CreateKey("crm"), """{ "type": "complete", "step": "account" }""");
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not assigned to system:crm", (string?)(await wrong.Json())["detail"]);
        Assert.Equal("open", _host.Store.Get("onboarding-1")!.State.ToString().ToLowerInvariant());

        var approval = await _host.Post("/api/v1/instances/onboarding-1/events", erp, """{ "type": "complete", "step": "manager" }""");
        Assert.Equal(HttpStatusCode.BadRequest, approval.StatusCode);
        Assert.Contains("not a task", (string?)(await approval.Json())["errors"]!["step"]![0]);

        var done = await _host.Post("/api/v1/instances/onboarding-1/events", erp, """{ "type": "complete", "step": "account", "system": "erp", "comment": "account zoe created" }""");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var finished = await done.Json();
        Assert.Equal("completed", (string?)finished["state"]);
        var decided = finished["history"]!.AsArray().Last(e => (string?)e!["event"] == "decided")!;
        Assert.Equal("system:erp", (string?)decided["actor"]);
        Assert.Contains("account zoe created", (string?)decided["text"]);

        var again = await _host.Post("/api/v1/instances/onboarding-1/events", erp, """{ "type": "complete", "step": "account" }""");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.DoesNotContain(_slack.Calls, c => c.Method is "users.lookupByEmail" or "conversations.open" && c.Body.ToJsonString().Contains("system:", StringComparison.Ordinal));
        Assert.DoesNotContain(_host.Store.AllOutbox(), o => o.Recipient?.StartsWith("system:", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_comment_from_another_system_lands_in_the_history()
    {
        var id = await _host.StartPurchase(_key, 10, "Pens");

        var response = await _host.Post($"/api/v1/instances/{id}/events", _key, """{ "type": "comment", "text": "PO 4711 raised" }""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var last = (await response.Json())["history"]!.AsArray()[^1]!;
        Assert.Equal("commented", (string?)last["event"]);
        Assert.Equal("system:jira", (string?)last["actor"]);
        Assert.Equal("system:jira commented: PO 4711 raised", (string?)last["text"]);
    }

    [Fact]
    public async Task A_key_completes_only_its_own_systems_step_and_naming_another_system_changes_nothing()
    {
        await _host.Post("/api/v1/workflows/onboarding/instances", _key, """{ "requester": "alice@example.com", "inputs": { "who": "Zoe" } }""");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 1, what: "Bob's card");
        await _host.Click(_slack, Bob, "approve", _slack.Cards(Bob)[0].ButtonValue("approve"));
        await WaitForState("onboarding-1", i => (string?)i["current_step"]?["id"] == "account");
        // Deliveries are recorded on the instance just after they land; wait, so the revision read here is stable.
        await _slack.WaitFor(_ => _host.Store.AllOutbox().All(o => o.State == Orchestrator.Host.Storage.OutboxState.Delivered), what: "every delivery recorded");
        var revision = _host.Store.Get("onboarding-1")!.Revision;

        var posing = await _host.Post("/api/v1/instances/onboarding-1/events", _key, """{ "type": "complete", "step": "account", "system": "erp" }""");
        var plain = await _host.Post("/api/v1/instances/onboarding-1/events", _key, """{ "type": "complete", "step": "account" }""");

        Assert.Equal(HttpStatusCode.Forbidden, posing.StatusCode);
        Assert.Equal("This key acts as system:jira; it cannot complete steps of system:erp. Nothing was changed.", (string?)(await posing.Json())["detail"]);
        Assert.Equal(HttpStatusCode.Forbidden, plain.StatusCode);
        Assert.Contains("is not assigned to system:jira; it is held by system:erp", (string?)(await plain.Json())["detail"]);
        var stored = _host.Store.Get("onboarding-1")!;
        Assert.Equal(revision, stored.Revision);
        Assert.Equal(["system:erp"], stored.CurrentOwners());

        var erp = await _host.Post("/api/v1/instances/onboarding-1/events", _host.CreateKey("erp-prod", system: "erp"), """{ "type": "complete", "step": "account" }""");
        Assert.Equal(HttpStatusCode.OK, erp.StatusCode);
        Assert.Equal("completed", (string?)(await erp.Json())["state"]);
    }

    [Fact]
    public async Task A_comment_naming_someone_else_as_author_is_refused_and_nothing_is_recorded()
    {
        var id = await _host.StartPurchase(_key, 10, "Pens");

        var forged = await _host.Post($"/api/v1/instances/{id}/events", _key, """{ "type": "comment", "text": "approved, go ahead", "author": "carol@example.com" }""");
        var own = await _host.Post($"/api/v1/instances/{id}/events", _key, """{ "type": "comment", "text": "PO 4711 raised", "author": "system:jira" }""");

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("This key comments as system:jira; it cannot write as 'carol@example.com'. Leave out author. Nothing was changed.", (string?)(await forged.Json())["detail"]);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var history = _host.Store.Get(id)!.History;
        var comment = Assert.Single(history, e => e.Kind == Core.Instances.EventKind.Commented);
        Assert.Equal("system:jira", comment.Actor);
        Assert.DoesNotContain(history, e => e.Actor == "carol@example.com" || e.Text.Contains("approved, go ahead", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_start_records_the_keys_system_as_who_started_it_for_the_requester()
    {
        var created = await (await _host.Post("/api/v1/workflows/purchase/instances", _host.CreateKey("jira-prod", system: "jira"), """
            { "requester": "alice@example.com", "inputs": { "amount": 20, "item": "Pens" } }
            """)).Json();

        Assert.Equal("alice@example.com", (string?)created["requester"]);
        Assert.Equal("system:jira", (string?)created["started_by"]);
        var started = created["history"]![0]!;
        Assert.Equal("system:jira", (string?)started["actor"]);
        Assert.Equal("Started by system:jira for Alice Adams", (string?)started["text"]);

        await _host.Command(_slack, Alice, "start purchase amount=5 item=Ink");
        await _slack.WaitFor(s => s.Cards(Bob).Count == 2, what: "Bob's second card");
        Assert.Equal("alice@example.com", (string?)(await (await _host.Get("/api/v1/instances/purchase-2", _key)).Json())["started_by"]);
    }

    [Fact]
    public async Task A_key_made_before_keys_had_a_system_acts_as_the_system_of_its_name()
    {
        var key = Orchestrator.Host.Api.ApiKeyStore.NewKey();
        // As such a key is stored: no system, so it acts as the system named like the key.
        _host.Store.InsertApiKey(new Orchestrator.Host.Storage.ApiKeyRow("erp", Orchestrator.Host.Api.ApiKeyStore.Hash(key), null, DateTimeOffset.UtcNow, null, null));

        var id = await _host.StartPurchase(key, 10, "Pens");
        var comment = await _host.Post($"/api/v1/instances/{id}/events", key, """{ "type": "comment", "text": "seen" }""");

        Assert.Equal("system:erp", (string?)(await comment.Json())["history"]!.AsArray()[^1]!["actor"]);
        Assert.Equal("system:erp", _host.Store.Get(id)!.StartedBy);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api_and_its_bearer_keys()
    {
        var response = await _host.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = await response.Json();
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/v1/workflows/{id}/instances", paths);
        Assert.Contains("/api/v1/instances/{id}", paths);
        Assert.Contains("/api/v1/instances", paths);
        Assert.Contains("/api/v1/instances/{id}/events", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/slack", StringComparison.Ordinal));
        Assert.Equal("bearer", (string?)doc["components"]!["securitySchemes"]!["bearer"]!["scheme"]);
    }

    private async Task WaitForState(string id, Func<JsonObject, bool> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (condition(await (await _host.Get($"/api/v1/instances/{id}", _key)).Json())) return;
            await Task.Delay(50);
        }
        Assert.Fail($"{id} never reached the expected state");
    }
}
