using System.Net;
using System.Text.Json.Nodes;
using NJsonSchema;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Api;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> against what the same host really answers: every status of every
/// operation is declared there, and each body (success and problem details) validates against the schema it declares, with
/// required properties present and no undeclared ones. Requests as the README writes them validate against the request schemas.
/// </summary>
public sealed class ApiContractTests : IAsyncLifetime
{
    /// <summary>A task held by a system from the start, so that 403 (another system) and 409 (done already) can be shown.</summary>
    private const string Provision = """
        id: provision
        name: Provision
        steps:
          - id: account
            kind: task
            title: Create the account
            assignees: system:erp
        """;

    /// <summary>Each operation and the statuses it answers with; the document must declare exactly these.</summary>
    private static readonly Dictionary<string, string[]> Statuses = new()
    {
        ["StartInstance"] = ["201", "400", "401", "404", "413"],
        ["GetInstance"] = ["200", "401", "404"],
        ["ListInstances"] = ["200", "400", "401"],
        ["PostInstanceEvent"] = ["200", "400", "401", "403", "404", "409", "413"],
    };

    /// <summary>A body over the API's 1 MB limit.</summary>
    private static readonly string Oversized = $$"""{ "type": "comment", "text": "{{new string('x', 1_100_000)}}" }""";

    private SlackFake _slack = null!;
    private TestHost _host = null!;
    private string _jira = null!, _erp = null!;
    private JsonObject _document = null!;
    private readonly HashSet<(string Operation, string Status)> _seen = [];

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _host = TestHost.Start(_slack, settings: new Dictionary<string, string?> { ["Workflows:Path"] = TestWorkflows.Folder(Provision) });
        _jira = _host.CreateKey("jira");
        _erp = _host.CreateKey("erp-prod", system: "erp");
        var response = await _host.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _document = await response.Json();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public void Every_operation_has_a_unique_operation_id_and_declares_the_statuses_it_answers_with()
    {
        var operations = Operations().ToList();

        Assert.Equal(Statuses.Keys.Order(), operations.Select(o => o.Id).Order());
        foreach (var (id, _, _, operation) in operations)
            Assert.Equal(Statuses[id].Order(), operation["responses"]!.AsObject().Select(r => r.Key).Order());
    }

    [Fact]
    public async Task Every_answer_of_the_running_host_matches_the_openapi_document()
    {
        const string start = "/api/v1/workflows/{id}/instances", one = "/api/v1/instances/{id}", list = "/api/v1/instances", events = "/api/v1/instances/{id}/events";

        // Starts: as the README writes them (no external_ref), with one, and each way to fail.
        await Check("POST", start, "/api/v1/workflows/purchase/instances", _jira, """{ "requester": "alice@example.com", "inputs": { "amount": 20, "item": "Pens" } }""", HttpStatusCode.Created);
        await Check("POST", start, "/api/v1/workflows/purchase/instances", _jira, """{ "requester": "alice@example.com", "inputs": { "amount": 1500, "item": "Desk" }, "external_ref": "JIRA-12" }""", HttpStatusCode.Created);
        await Check("POST", start, "/api/v1/workflows/provision/instances", _jira, """{ "requester": "alice@example.com" }""", HttpStatusCode.Created);
        await Check("POST", start, "/api/v1/workflows/purchase/instances", _jira, """{ "requester": "alice@example.com", "inputs": { "amount": "lots" } }""", HttpStatusCode.BadRequest);
        await Check("POST", start, "/api/v1/workflows/purchase/instances", _jira, "not json", HttpStatusCode.BadRequest, validRequest: false);
        await Check("POST", start, "/api/v1/workflows/nope/instances", _jira, """{ "requester": "alice@example.com" }""", HttpStatusCode.NotFound);
        await Check("POST", start, "/api/v1/workflows/purchase/instances", null, """{ "requester": "alice@example.com" }""", HttpStatusCode.Unauthorized);
        await Check("POST", start, "/api/v1/workflows/purchase/instances", "orc_not-a-key", """{ "requester": "alice@example.com" }""", HttpStatusCode.Unauthorized);
        await Check("POST", start, "/api/v1/workflows/purchase/instances", _jira, Oversized, HttpStatusCode.RequestEntityTooLarge, validRequest: false);

        // Events: a comment, a completion by the step's own system, and every refusal.
        await Check("POST", events, "/api/v1/instances/purchase-1/events", _jira, """{ "type": "comment", "text": "PO 4711 raised" }""", HttpStatusCode.OK);
        await Check("POST", events, "/api/v1/instances/provision-1/events", _jira, """{ "type": "complete", "step": "account" }""", HttpStatusCode.Forbidden);
        await Check("POST", events, "/api/v1/instances/purchase-1/events", _jira, """{ "type": "comment", "text": "x", "author": "carol@example.com" }""", HttpStatusCode.Forbidden);
        await Check("POST", events, "/api/v1/instances/provision-1/events", _erp, """{ "type": "complete", "step": "account", "comment": "account u123 created" }""", HttpStatusCode.OK);
        await Check("POST", events, "/api/v1/instances/provision-1/events", _erp, """{ "type": "complete", "step": "account" }""", HttpStatusCode.Conflict);
        await Check("POST", events, "/api/v1/instances/purchase-1/events", _jira, """{ "type": "launch" }""", HttpStatusCode.BadRequest);
        await Check("POST", events, "/api/v1/instances/purchase-99/events", _jira, """{ "type": "comment", "text": "x" }""", HttpStatusCode.NotFound);
        await Check("POST", events, "/api/v1/instances/purchase-1/events", null, """{ "type": "comment", "text": "x" }""", HttpStatusCode.Unauthorized);
        await Check("POST", events, "/api/v1/instances/purchase-1/events", _jira, Oversized, HttpStatusCode.RequestEntityTooLarge, validRequest: false);

        // Reads: open, completed and closed instances (with and without a current step), a list without histories, refusals.
        await Check("GET", one, "/api/v1/instances/purchase-1", _jira, null, HttpStatusCode.OK);
        await Check("GET", one, "/api/v1/instances/provision-1", _jira, null, HttpStatusCode.OK);
        await Check("GET", one, "/api/v1/instances/purchase-99", _jira, null, HttpStatusCode.NotFound);
        await Check("GET", one, "/api/v1/instances/purchase-1", null, null, HttpStatusCode.Unauthorized);
        await Check("GET", list, "/api/v1/instances", _jira, null, HttpStatusCode.OK);
        await Check("GET", list, "/api/v1/instances?state=open&limit=1", _jira, null, HttpStatusCode.OK);
        await Check("GET", list, "/api/v1/instances?state=closed", _jira, null, HttpStatusCode.BadRequest);
        await Check("GET", list, "/api/v1/instances", null, null, HttpStatusCode.Unauthorized);

        var declared = Operations().SelectMany(o => o.Operation["responses"]!.AsObject().Select(r => (o.Id, r.Key))).ToHashSet();
        Assert.Empty(declared.Except(_seen).Select(d => $"{d.Item1} {d.Item2} is declared but was never answered"));
    }

    /// <summary>Sends one request and checks its request body, status, media type and response body against the document.</summary>
    private async Task Check(string method, string template, string path, string? key, string? body, HttpStatusCode expected, bool validRequest = true)
    {
        var operation = _document["paths"]![template]?[method.ToLowerInvariant()]?.AsObject();
        Assert.True(operation is not null, $"{method} {template} is not in the document");
        var id = (string)operation["operationId"]!;
        var call = $"{id} ({method} {path})";

        if (body is not null && validRequest)
            await AssertValid(operation["requestBody"]!["content"]!["application/json"]!["schema"]!, JsonNode.Parse(body)!, $"{call} request");

        var response = await _host.Send(new HttpMethod(method), path, key, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{call}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _seen.Add((id, status));

        var declared = operation["responses"]![status];
        Assert.True(declared is not null, $"{call} answered {status}, which the document does not declare for {id}: {text}");
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var content = declared["content"]?[mediaType ?? ""];
        Assert.True(content is not null, $"{call} answered {status} as {mediaType}, which the document does not declare: {declared.ToJsonString()}");
        await AssertValid(content["schema"]!, JsonNode.Parse(text)!, $"{call} {status} response");
    }

    private async Task AssertValid(JsonNode schema, JsonNode instance, string what)
    {
        var errors = (await Schema(schema)).Validate(instance.ToJsonString());
        Assert.True(errors.Count == 0, $"{what} does not match the document:\n" + string.Join('\n', errors.Select(e => $"{e.Path}: {e.Kind} {e}")) + "\n" + instance.ToJsonString());
    }

    private readonly Dictionary<string, JsonSchema> _schemas = [];

    /// <summary>
    /// One of the document's schemas as JSON Schema, with the components beside it. The API's own objects get
    /// <c>additionalProperties: false</c> so that a property the document does not mention fails too; problem details keep
    /// their extensions (<c>traceId</c>), as RFC 9457 allows.
    /// </summary>
    private async Task<JsonSchema> Schema(JsonNode schema)
    {
        var key = schema.ToJsonString();
        if (_schemas.TryGetValue(key, out var cached)) return cached;
        var definitions = _document["components"]!["schemas"]!.DeepClone().AsObject();
        foreach (var (name, definition) in definitions)
            if (!name.Contains("ProblemDetails", StringComparison.Ordinal) && definition is JsonObject { } o && o["properties"] is not null && o["additionalProperties"] is null)
                o["additionalProperties"] = false;
        var root = new JsonObject { ["allOf"] = new JsonArray(schema.DeepClone()), ["definitions"] = definitions };
        var json = root.ToJsonString().Replace("#/components/schemas/", "#/definitions/", StringComparison.Ordinal);
        return _schemas[key] = await JsonSchema.FromJsonAsync(json);
    }

    private IEnumerable<(string Id, string Path, string Method, JsonObject Operation)> Operations() =>
        from path in _document["paths"]!.AsObject()
        from method in path.Value!.AsObject()
        let operation = method.Value!.AsObject()
        select ((string?)operation["operationId"] ?? $"(no operationId: {method.Key} {path.Key})", path.Key, method.Key, operation);
}
