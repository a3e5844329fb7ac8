using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Host.Api;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Api;

public sealed class ApiBadInputTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private TestHost _host = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _host = TestHost.Start(_slack);
        _key = _host.CreateKey();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Theory]
    [InlineData("GET", "/api/v1/instances")]
    [InlineData("GET", "/api/v1/instances/purchase-1")]
    [InlineData("POST", "/api/v1/workflows/purchase/instances")]
    [InlineData("POST", "/api/v1/instances/purchase-1/events")]
    public async Task A_call_without_a_key_gets_401_with_a_bearer_challenge_and_problem_details(string method, string path)
    {
        var response = await _host.Send(new HttpMethod(method), path, key: null, json: method == "POST" ? "{}" : null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.Equal(401, (int?)problem["status"]);
        Assert.Contains("Authorization: Bearer", (string?)problem["detail"]);
        Assert.Equal(0, _host.Store.CountInstances());
    }

    [Theory]
    [InlineData(new byte[] { 0xC2 }, "not valid UTF-8")]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'c', (byte)'0', (byte)'0' }, "inputs.item")]
    public async Task Text_that_is_not_valid_unicode_is_400_and_starts_nothing(byte[] inside, string names)
    {
        // Found by the fuzz suite: a string value is decoded only when read, which threw and answered 500.
        var body = "{ \"requester\": \"alice@example.com\", \"inputs\": { \"amount\": 5, \"item\": \"a"u8.ToArray().Concat(inside).Concat("b\" } }"u8.ToArray()).ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/workflows/purchase/instances") { Content = new ByteArrayContent(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _key);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(names, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, _host.Store.CountInstances());
    }

    [Fact]
    public async Task An_unknown_key_gets_401_and_starts_nothing()
    {
        var response = await _host.Post("/api/v1/workflows/purchase/instances", "orc_not-a-key", """{ "requester": "alice@example.com", "inputs": { "amount": 1, "item": "x" } }""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("The API key is not known.", (string?)(await response.Json())["detail"]);
        Assert.Equal(0, _host.Store.CountInstances());
    }

    [Fact]
    public async Task A_revoked_key_gets_401_naming_the_key()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.Get("/api/v1/instances", _key)).StatusCode);

        _host.Services.GetRequiredService<ApiKeyStore>().Revoke("jira", DateTimeOffset.UtcNow);
        var response = await _host.Get("/api/v1/instances", _key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("The API key 'jira' was revoked.", (string?)(await response.Json())["detail"]);
    }

    [Fact]
    public async Task A_key_records_when_it_was_last_used()
    {
        await _host.Get("/api/v1/instances", _key);

        Assert.NotNull(_host.Services.GetRequiredService<ApiKeyStore>().All().Single().LastUsed);
    }

    [Fact]
    public async Task An_unknown_workflow_is_404_and_lists_the_known_ones()
    {
        var response = await _host.Post("/api/v1/workflows/nope/instances", _key, """{ "requester": "alice@example.com" }""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("purchase", (string?)(await response.Json())["detail"]);
    }

    [Theory]
    [InlineData("GET", "/api/v1/instances/purchase-99")]
    [InlineData("POST", "/api/v1/instances/purchase-99/events")]
    public async Task An_unknown_instance_is_404(string method, string path)
    {
        var response = await _host.Send(new HttpMethod(method), path, _key, method == "POST" ? """{ "type": "comment", "text": "x" }""" : null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("purchase-99", (string?)(await response.Json())["detail"]);
    }

    [Fact]
    public async Task Invalid_inputs_are_400_naming_each_bad_field_and_nothing_starts()
    {
        var response = await _host.Post("/api/v1/workflows/purchase/instances", _key, """
            { "requester": "mallory@nowhere.test", "inputs": { "amount": "lots", "colour": "red", "vendor": ["a"] } }
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Json())["errors"]!.AsObject();
        Assert.Equal(["inputs.amount", "inputs.colour", "inputs.item", "inputs.vendor", "requester"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Contains("must be a number, got 'lots'", (string?)errors["inputs.amount"]![0]);
        Assert.Contains("unknown input 'colour'", (string?)errors["inputs.colour"]![0]);
        Assert.Contains("is required", (string?)errors["inputs.item"]![0]);
        Assert.Contains("not a person in the directory", (string?)errors["requester"]![0]);
        Assert.Equal(0, _host.Store.CountInstances());
    }

    [Fact]
    public async Task A_missing_requester_is_named()
    {
        var response = await _host.Post("/api/v1/workflows/purchase/instances", _key, """{ "inputs": { "amount": 5, "item": "Pens" } }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is required", (string?)(await response.Json())["errors"]!["requester"]![0]);
    }

    [Theory]
    [InlineData("{ \"requester\": ", "requester")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    [InlineData("[1, 2]", "body")]
    [InlineData("{ \"requester\": 42 }", "requester")]
    public async Task A_malformed_body_is_400_not_500(string body, string field)
    {
        var response = await _host.Post("/api/v1/workflows/purchase/instances", _key, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull((await response.Json())["errors"]![field]);
    }

    [Theory]
    [InlineData("""{ "requester": "alice@example.com", "requester": "dave@example.com", "inputs": { "amount": 5, "item": "Pens" } }""", "requester")]
    [InlineData("""{ "requester": "alice@example.com", "REQUESTER": "dave@example.com", "inputs": { "amount": 5, "item": "Pens" } }""", "REQUESTER")]
    [InlineData("""{ "requester": "alice@example.com", "inputs": { "amount": 5, "item": "Pens" }, "inputs": { "amount": 9000 } }""", "inputs")]
    [InlineData("""{ "requester": "alice@example.com", "inputs": { "amount": 1, "amount": 2, "item": "Pens" } }""", "inputs.amount")]
    [InlineData("""{ "requester": "alice@example.com", "inputs": { "amount": 1, "AMOUNT": 2, "item": "Pens" } }""", "inputs.AMOUNT")]
    public async Task A_duplicate_key_is_400_naming_it_and_nothing_starts(string body, string field)
    {
        var response = await _host.Post("/api/v1/workflows/purchase/instances", _key, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Json())["errors"]!.AsObject();
        Assert.Equal([field], errors.Select(e => e.Key));
        Assert.StartsWith("is given twice", (string?)errors[field]![0]);
        Assert.Equal(0, _host.Store.CountInstances());
    }

    [Theory]
    [InlineData("""{ "type": "comment", "text": "fine", "text": "not fine" }""", "text")]
    [InlineData("""{ "type": "comment", "Type": "complete", "text": "x" }""", "Type")]
    public async Task A_duplicate_key_in_an_event_is_400_and_records_nothing(string body, string field)
    {
        var id = await _host.StartPurchase(_key, 10, "Pens");

        var response = await _host.Post($"/api/v1/instances/{id}/events", _key, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]![field]);
        Assert.DoesNotContain(_host.Store.Get(id)!.History, e => e.Kind is Core.Instances.EventKind.Commented or Core.Instances.EventKind.Decided);
    }

    [Fact]
    public async Task A_malformed_event_body_is_400()
    {
        var id = await _host.StartPurchase(_key, 10, "Pens");

        var broken = await _host.Post($"/api/v1/instances/{id}/events", _key, "{ type: complete");
        var noType = await _host.Post($"/api/v1/instances/{id}/events", _key, "{}");
        var incomplete = await _host.Post($"/api/v1/instances/{id}/events", _key, """{ "type": "complete" }""");

        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("complete or comment", (string?)(await noType.Json())["errors"]!["type"]![0]);
        Assert.NotNull((await incomplete.Json())["errors"]!["step"]);
        Assert.DoesNotContain(_host.Store.Get(id)!.History, e => e.Kind is Core.Instances.EventKind.Decided or Core.Instances.EventKind.Commented);
    }

    [Theory]
    [InlineData("state=closed", "state")]
    [InlineData("state=1", "state")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    public async Task A_bad_list_query_is_400_naming_the_parameter(string query, string field)
    {
        var response = await _host.Get($"/api/v1/instances?{query}", _key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]![field]);
    }
}
