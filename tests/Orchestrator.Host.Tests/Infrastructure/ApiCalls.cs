using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Host.Api;

namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>Calls to the HTTP API as another system makes them: JSON bodies and a bearer key.</summary>
internal static class ApiCalls
{
    /// <summary>A key made as <c>apikey create &lt;name&gt; [--system &lt;system&gt;]</c> makes it, in the running host's own store.</summary>
    public static string CreateKey(this TestHost host, string name = "jira", string? system = null) =>
        host.Services.GetRequiredService<ApiKeyStore>().Create(name, DateTimeOffset.UtcNow, system).Key!;

    public static Task<HttpResponseMessage> Get(this TestHost host, string path, string? key) => host.Send(HttpMethod.Get, path, key);

    public static Task<HttpResponseMessage> Post(this TestHost host, string path, string? key, string json) => host.Send(HttpMethod.Post, path, key, json);

    public static Task<HttpResponseMessage> Post(this TestHost host, string path, string? key, JsonObject body) => host.Post(path, key, body.ToJsonString());

    public static Task<HttpResponseMessage> Send(this TestHost host, HttpMethod method, string path, string? key, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return host.Client.SendAsync(request);
    }

    public static async Task<JsonObject> Json(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>Starts a purchase through the API and returns the new instance's id.</summary>
    public static async Task<string> StartPurchase(this TestHost host, string key, int amount, string item, string? externalRef = null, string workflow = "purchase")
    {
        var response = await host.Post($"/api/v1/workflows/{workflow}/instances", key, new JsonObject
        {
            ["requester"] = "alice@example.com",
            ["inputs"] = new JsonObject { ["amount"] = amount, ["item"] = item },
            ["external_ref"] = externalRef,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        return (string)JsonNode.Parse(body)!["id"]!;
    }
}
