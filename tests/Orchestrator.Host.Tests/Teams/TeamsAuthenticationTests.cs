using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Host.Teams;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.TeamsStory;

namespace Orchestrator.Host.Tests.Teams;

/// <summary>
/// What /api/messages lets in: with MicrosoftAppId set, only requests carrying a Bot Framework JWT the SDK accepts; without
/// it, only loopback callers that no proxy forwards. Whatever is refused is refused before it is read, and changes nothing.
/// </summary>
public sealed class TeamsAuthenticationTests : IAsyncLifetime
{
    private const string AppId = "00000000-0000-0000-0000-000000000001";
    private SlackFake _slack = null!;
    private BotConnectorFake _connector = null!;

    public async Task InitializeAsync()
    {
        _slack = await SlackStory.StartSlack();
        _connector = await StartConnector();
    }

    public async Task DisposeAsync()
    {
        await _connector.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task With_an_app_id_an_unsigned_request_gets_401_even_from_loopback()
    {
        await using var host = TestHost.Start(_slack, settings: new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = AppId,
            ["MicrosoftAppPassword"] = "not-a-real-secret",
        });

        var unsigned = await host.SendActivity(Message(_connector, Alice, "help"));
        var forged = await host.SendActivity(Message(_connector, Alice, "help"), authorization: "Bearer not.a.jwt");

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Contains("bearer token is required", await unsigned.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Empty(_connector.Calls);
    }

    [Fact]
    public async Task With_an_app_id_a_token_signed_with_an_unknown_key_or_a_wrong_signature_gets_401_and_nothing_is_recorded()
    {
        await using var tokens = await BotFrameworkTokenFake.StartNew();
        await using var host = TestHost.Start(_slack, settings: tokens.Settings(AppId));
        using var otherKey = RSA.Create(2048);

        var unknownKey = await host.SendActivity(Message(_connector, Alice, "help"),
            authorization: "Bearer " + tokens.Token(AppId, _connector.ServiceUrl, keyId: "a-key-nobody-published", signWith: otherKey));
        var wrongSignature = await host.SendActivity(Message(_connector, Alice, "help"),
            authorization: "Bearer " + tokens.Token(AppId, _connector.ServiceUrl, signWith: otherKey));

        Assert.Equal(HttpStatusCode.Unauthorized, unknownKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSignature.StatusCode);
        Assert.Empty(_connector.Calls);
        Assert.Null(host.Services.GetRequiredService<TeamsConversations>().FindByUserId(Alice.Id));

        // The same request with a token the Bot Connector would sign gets through (a typing activity needs no answer).
        var genuine = await host.SendActivity(Activity(_connector, Alice, "typing"), authorization: "Bearer " + tokens.Token(AppId, _connector.ServiceUrl));
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    [InlineData("True-Client-IP", "203.0.113.7")]
    [InlineData("CF-Connecting-IP", "203.0.113.7")]
    [InlineData("X-Original-For", "203.0.113.7:443")]
    public async Task Without_an_app_id_a_loopback_caller_that_names_the_client_it_forwards_for_gets_401(string header, string value)
    {
        await using var host = TestHost.Start(_slack);
        var request = new HttpRequestMessage(HttpMethod.Post, TeamsExtensions.MessagesPath)
        {
            Content = new StringContent(Message(_connector, Alice, "help").ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(header, value);

        var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_connector.Calls);
        Assert.Null(host.Services.GetRequiredService<TeamsConversations>().FindByUserId(Alice.Id));
    }

    [Fact]
    public async Task With_an_app_id_a_large_body_without_a_token_is_refused_before_it_is_read()
    {
        BodyMeter? meter = null;
        await using var host = TestHost.Start(_slack, settings: new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = AppId,
            ["MicrosoftAppPassword"] = "not-a-real-secret",
        }, services: s => meter = BodyMeter.Install(s));

        var response = await host.Client.PostAsync(TeamsExtensions.MessagesPath, new StreamedActivity(28 * 1024 * 1024, announceLength: false));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, meter!.Read);
        Assert.Empty(_connector.Calls);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public async Task An_activity_larger_than_256_KB_gets_413_without_being_read_into_memory(bool withAppId, bool announceLength)
    {
        var settings = withAppId
            ? new Dictionary<string, string?> { ["MicrosoftAppId"] = AppId, ["MicrosoftAppPassword"] = "not-a-real-secret" }
            : null;
        BodyMeter? meter = null;
        await using var host = TestHost.Start(_slack, settings: settings, services: s => meter = BodyMeter.Install(s));
        var request = new HttpRequestMessage(HttpMethod.Post, TeamsExtensions.MessagesPath) { Content = new StreamedActivity(28 * 1024 * 1024, announceLength) };
        if (withAppId) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not.checked.yet");

        var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 256 KB", await response.Content.ReadAsStringAsync());
        // An announced length over the limit is refused unread; a body that does not say reads no further than the limit.
        Assert.InRange(meter!.Read, 0, announceLength ? 0 : TeamsExtensions.MaxActivityBytes + 64 * 1024);
        Assert.Empty(_connector.Calls);
        Assert.Null(host.Services.GetRequiredService<TeamsConversations>().FindByUserId(Alice.Id));
    }

    [Fact]
    public async Task An_activity_just_under_the_limit_is_processed()
    {
        await using var host = TestHost.Start(_slack);
        var activity = Message(_connector, Alice, "help");
        activity["padding"] = new string('x', TeamsExtensions.MaxActivityBytes - activity.ToJsonString().Length - 64);

        var response = await host.SendActivity(activity);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("start and follow approvals", Assert.Single(_connector.Activities(Alice.Chat)).Text);
    }

    /// <summary>A message activity whose text runs to <c>size</c> bytes, produced as it is sent.</summary>
    private sealed class StreamedActivity : HttpContent
    {
        private readonly long _size;
        private readonly bool _announceLength;

        public StreamedActivity(long size, bool announceLength)
        {
            _size = size;
            _announceLength = announceLength;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes("""{"type":"message","channelId":"msteams","text":" """));
            var chunk = Encoding.UTF8.GetBytes(new string('a', 16 * 1024));
            for (var sent = 0L; sent < _size; sent += chunk.Length) await stream.WriteAsync(chunk);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _size;
            return _announceLength;
        }
    }

    /// <summary>Counts the bytes the host reads from the request bodies of <c>/api/messages</c>.</summary>
    private sealed class BodyMeter : IStartupFilter
    {
        private long _read;

        public long Read => Interlocked.Read(ref _read);

        public static BodyMeter Install(IServiceCollection services)
        {
            var meter = new BodyMeter();
            services.AddSingleton<IStartupFilter>(meter);
            return meter;
        }

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, proceed) =>
            {
                if (context.Request.Path == TeamsExtensions.MessagesPath) context.Request.Body = new Counting(context.Request.Body, this);
                return proceed();
            });
            next(app);
        };

        private sealed class Counting(Stream inner, BodyMeter meter) : Stream
        {
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
                Count(await inner.ReadAsync(buffer, cancellationToken));

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

            private int Count(int read)
            {
                Interlocked.Add(ref meter._read, read);
                return read;
            }

            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
