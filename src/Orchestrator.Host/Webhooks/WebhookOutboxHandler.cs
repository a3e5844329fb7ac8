using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Orchestrator.Host.Delivery;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Webhooks;

/// <summary>
/// POSTs one webhook message, signed. Any answer but 2xx, a timeout or a network error is transient: the outbox retries
/// with backoff, in order per instance, on a lane of its own so a slow receiver never holds up chat messages.
/// </summary>
internal sealed class WebhookOutboxHandler(IHttpClientFactory clients, IOptionsMonitor<WebhookOptions> options) : IOutboxHandler
{
    public const string Client = "webhooks";
    public const string EventHeader = "X-Orchestrator-Event";
    public const string DeliveryHeader = "X-Orchestrator-Delivery";

    public bool CanHandle(OutboxItem item) => item.Kind == OutboxKinds.Webhook;

    public async Task HandleAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        var secret = options.CurrentValue.SigningSecret;
        if (string.IsNullOrEmpty(secret))
            throw new DeliveryException("Webhooks:SigningSecret is not set; deliveries are never sent unsigned", transient: true);
        if (!Uri.TryCreate(item.Recipient, UriKind.Absolute, out var url))
            throw new DeliveryException($"'{item.Recipient}' is not a URL", transient: false);

        var body = Encoding.UTF8.GetBytes(item.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, body));
        request.Headers.Add(DeliveryHeader, item.Key[WebhookMessages.KeyPrefix.Length..]);

        var http = clients.CreateClient(Client);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode) return;
            var retryAfter = response.Headers.RetryAfter?.Delta
                ?? (response.Headers.RetryAfter?.Date is { } at ? at - DateTimeOffset.UtcNow : null);
            throw new DeliveryException($"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode} {response.ReasonPhrase}",
                transient: true, response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable ? retryAfter : null);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DeliveryException($"{url.GetLeftPart(UriPartial.Path)} did not answer within {http.Timeout.TotalSeconds:0.###}s", transient: true, inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new DeliveryException($"{url.GetLeftPart(UriPartial.Path)}: {e.Message}", transient: true, inner: e);
        }
    }
}
