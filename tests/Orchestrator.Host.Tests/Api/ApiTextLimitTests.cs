using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Api;

public sealed class ApiTextLimitTests : IAsyncLifetime
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

    [Fact]
    public async Task A_comment_over_the_limit_is_400_naming_text_and_adds_nothing()
    {
        var id = await _host.StartPurchase(_key, 50, "Desk");

        var response = await _host.Post($"/api/v1/instances/{id}/events", _key,
            new JsonObject { ["type"] = "comment", ["text"] = new string('x', TextLimits.Comment + 1) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal("The comment is 3,001 characters long; the most is 3,000. Shorten it; nothing was changed.", (string?)problem["errors"]!["text"]![0]);
        // The card's delivery may add to the history meanwhile; no comment may.
        Assert.DoesNotContain(_host.Store.Get(id)!.History, e => e.Kind == EventKind.Commented);
    }

    [Fact]
    public async Task An_input_over_the_limit_is_400_naming_the_input_and_starts_nothing()
    {
        var response = await _host.Post("/api/v1/workflows/purchase/instances", _key, new JsonObject
        {
            ["requester"] = "alice@example.com",
            ["inputs"] = new JsonObject { ["amount"] = 5, ["item"] = new string('x', TextLimits.Input + 1) },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("item is 3,001 characters long; the most is 3,000.", (string?)(await response.Json())["errors"]!["inputs.item"]![0]);
        Assert.Equal(0, _host.Store.CountInstances());
    }

    [Fact]
    public async Task A_body_over_1_MB_is_413_with_a_problem_and_starts_nothing()
    {
        var body = $$"""{ "requester": "alice@example.com", "inputs": { "amount": 5, "item": "{{new string('x', 1024 * 1024)}}" } }""";

        var response = await _host.Post("/api/v1/workflows/purchase/instances", _key, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("The request body is larger than 1,024 KB, the most this endpoint takes. Nothing was recorded.", (string?)(await response.Json())["detail"]);
        Assert.Equal(0, _host.Store.CountInstances());
    }

    [Theory]
    [InlineData("/api/v1/workflows/purchase/instances", 1024 * 1024)]
    [InlineData("/slack/events", 512 * 1024)]
    public async Task Kestrel_stops_a_body_without_a_length_at_the_endpoints_limit(string path, int limit)
    {
        // Only the real server enforces a limit while reading; the in-memory test server has none.
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Storage:Path", Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db"));
            builder.UseSetting("Workflows:Path", Path.Combine(Repo.Root, "manifests", "workflows"));
            builder.UseSetting("Directory:Path", Path.Combine(Repo.Root, "manifests", "directory.yaml"));
            builder.UseSetting("Slack:BotToken", _slack.BotToken);
            builder.UseSetting("Slack:SigningSecret", TestHost.SigningSecret);
            builder.UseSetting("Slack:ApiBaseUrl", _slack.ApiBaseUrl.ToString());
            builder.UseEnvironment("Development");
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        var key = factory.Services.GetRequiredService<Orchestrator.Host.Api.ApiKeyStore>().Create("big", DateTimeOffset.UtcNow).Key!;

        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new Chunked(limit + 64 * 1024) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.TransferEncodingChunked = true;
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
        }
        catch (HttpRequestException ex)
        {
            // The server may close the connection before the client has finished sending; it was refused all the same.
            Assert.Fail($"no answer: {ex.Message}");
            return;
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("the most this endpoint takes", await response.Content.ReadAsStringAsync());
    }

    /// <summary>A JSON-ish body of <paramref name="length"/> bytes sent without a Content-Length.</summary>
    private sealed class Chunked(int length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 16 * 1024));
            for (var sent = 0; sent < length; sent += chunk.Length) await stream.WriteAsync(chunk);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
