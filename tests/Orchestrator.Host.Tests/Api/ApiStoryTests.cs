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
        Assert.Equal("completed", (string?)history[^1]["event"]);

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

        var wrong = await _host.Post("/api/v1/instances/onboarding-1/events", _key, """{ "type": "complete", "step": "account", "system": "crm" }""");
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not assigned to system:crm", (string?)(await wrong.Json())["detail"]);
        Assert.Equal("open", _host.Store.Get("onboarding-1")!.State.ToString().ToLowerInvariant());

        var approval = await _host.Post("/api/v1/instances/onboarding-1/events", _key, """{ "type": "complete", "step": "manager", "system": "erp" }""");
        Assert.Equal(HttpStatusCode.BadRequest, approval.StatusCode);
        Assert.Contains("not a task", (string?)(await approval.Json())["errors"]!["step"]![0]);

        var done = await _host.Post("/api/v1/instances/onboarding-1/events", _key, """{ "type": "complete", "step": "account", "system": "erp", "comment": "account zoe created" }""");
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var finished = await done.Json();
        Assert.Equal("completed", (string?)finished["state"]);
        var decided = finished["history"]!.AsArray().Last(e => (string?)e!["event"] == "decided")!;
        Assert.Equal("system:erp", (string?)decided["actor"]);
        Assert.Contains("account zoe created", (string?)decided["text"]);

        var again = await _host.Post("/api/v1/instances/onboarding-1/events", _key, """{ "type": "complete", "step": "account", "system": "erp" }""");
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
        Assert.Equal("jira", (string?)last["actor"]);
        Assert.Equal("jira commented: PO 4711 raised", (string?)last["text"]);
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
