using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Host.Webhooks;

/// <summary><c>X-Orchestrator-Signature: sha256=&lt;hex&gt;</c>: HMAC-SHA256 of the raw body with <c>Webhooks:SigningSecret</c>.</summary>
internal static class WebhookSignature
{
    public const string Header = "X-Orchestrator-Signature";

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>How a receiver checks a delivery: recompute over the raw bytes and compare in constant time.</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(header));
}
