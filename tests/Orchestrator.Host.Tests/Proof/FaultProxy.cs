using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Host.Tests.Proof;

/// <summary>
/// A loopback HTTP proxy in front of a fake (the Bot Connector's), adding the faults the fake itself lacks: a request
/// held and then dropped before it reaches the fake (a timeout before acceptance), and refused connections. Nothing is
/// ever dropped after the fake accepted it: Teams has no way to find an earlier post, so that case would double a card.
/// </summary>
internal sealed class FaultProxy(Uri target) : IAsyncDisposable
{
    private readonly HttpClient _forward = new() { BaseAddress = target };
    private readonly object _gate = new();
    private readonly Queue<TimeSpan> _drops = new();
    private WebApplication? _app;
    private int _port;

    public Uri Url => new($"http://127.0.0.1:{_port}/");
    public int Dropped { get; private set; }

    public static async Task<FaultProxy> StartNew(Uri target)
    {
        var proxy = new FaultProxy(target);
        await proxy.Start();
        return proxy;
    }

    /// <summary>The next <paramref name="count"/> requests are held for <paramref name="hold"/>, then their connection is dropped unanswered.</summary>
    public void DropNext(TimeSpan hold, int count = 1)
    {
        lock (_gate)
            for (var i = 0; i < count; i++) _drops.Enqueue(hold);
    }

    /// <summary>Listens (again, on the same port after <see cref="Stop"/>).</summary>
    public async Task Start()
    {
        if (_app is not null) return;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        var app = builder.Build();
        app.Run(Forward);
        await app.StartAsync();
        _port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
        _app = app;
    }

    /// <summary>Closes the listener: callers get "connection refused".</summary>
    public async Task Stop()
    {
        if (_app is not { } app) return;
        _app = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task Forward(HttpContext context)
    {
        TimeSpan? hold = null;
        lock (_gate)
            if (_drops.TryDequeue(out var h)) hold = h;
        if (hold is { } wait)
        {
            Dropped++;
            await Task.Delay(wait);
            context.Abort();
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString)
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        if (context.Request.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        using var response = await _forward.SendAsync(request);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers) context.Response.Headers[name] = values.ToArray();
        foreach (var (name, values) in response.Content.Headers) context.Response.Headers[name] = values.ToArray();
        context.Response.Headers.Remove("transfer-encoding");
        await context.Response.Body.WriteAsync(await response.Content.ReadAsByteArrayAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Stop();
        _forward.Dispose();
    }
}
