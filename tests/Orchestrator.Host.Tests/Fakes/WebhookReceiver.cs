using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Host.Tests.Fakes;

/// <summary>One POST the receiver got: the raw body as sent, its headers, and what it answered.</summary>
internal sealed record WebhookDelivery(byte[] Body, string? Signature, string? DeliveryId, string? ContentType, int Answered)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
}

/// <summary>A webhook receiver on a real loopback listener that can fail or stall on purpose.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<WebhookDelivery> _deliveries = [];
    private WebApplication? _app;
    private int _failNext;
    private TimeSpan _stall;

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartNew()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/hooks/orchestrator", receiver.Handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver.Url = new Uri(new Uri(address), "/hooks/orchestrator");
        receiver._app = app;
        return receiver;
    }

    /// <summary>The next <paramref name="count"/> deliveries are answered 500.</summary>
    public void FailNext(int count)
    {
        lock (_gate) _failNext = count;
    }

    /// <summary>Every delivery waits this long before it is answered (a receiver slower than the sender's timeout).</summary>
    public void Stall(TimeSpan delay)
    {
        lock (_gate) _stall = delay;
    }

    public IReadOnlyList<WebhookDelivery> All
    {
        get { lock (_gate) return _deliveries.ToList(); }
    }

    /// <summary>Deliveries answered 2xx, in the order they arrived.</summary>
    public IReadOnlyList<WebhookDelivery> Accepted => All.Where(d => d.Answered < 300).ToList();

    public async Task WaitFor(Func<WebhookReceiver, bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var started = TimeProvider.System.GetTimestamp();
        while (!condition(this))
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
                Assert.Fail($"Webhook receiver: {what} not met within {limit.TotalSeconds:0.#} s. Got:\n{string.Join('\n', All.Select(d => $"{d.Answered} {Encoding.UTF8.GetString(d.Body)}"))}");
            await Task.Delay(20);
        }
    }

    private async Task Handle(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        TimeSpan stall;
        int status;
        lock (_gate)
        {
            stall = _stall;
            status = _failNext > 0 ? 500 : 204;
            if (_failNext > 0) _failNext--;
        }
        if (stall > TimeSpan.Zero)
        {
            try { await Task.Delay(stall, context.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        lock (_gate)
            _deliveries.Add(new WebhookDelivery(buffer.ToArray(), context.Request.Headers["X-Orchestrator-Signature"], context.Request.Headers["X-Orchestrator-Delivery"],
                context.Request.ContentType, status));
        context.Response.StatusCode = status;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
