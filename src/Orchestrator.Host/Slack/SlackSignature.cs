using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Host.Slack;

internal enum SlackVerification { Valid, MissingHeaders, StaleTimestamp, BadSignature }

/// <summary>Checks Slack's <c>X-Slack-Signature</c> (v0 HMAC-SHA256) before a request body is trusted.</summary>
internal sealed class SlackSignatureVerifier(string signingSecret, TimeProvider time)
{
    private const string Prefix = "v0=";
    private static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    private readonly byte[] _key = Encoding.UTF8.GetBytes(signingSecret);

    public SlackVerification Verify(string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(timestampHeader) || string.IsNullOrEmpty(signatureHeader))
            return SlackVerification.MissingHeaders;

        // Refusing old timestamps is what stops a captured request from being replayed later.
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return SlackVerification.StaleTimestamp;
        var skew = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (skew.Duration() > MaxSkew)
            return SlackVerification.StaleTimestamp;

        if (!signatureHeader.StartsWith(Prefix, StringComparison.Ordinal))
            return SlackVerification.BadSignature;
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var status = Convert.FromHexString(signatureHeader.AsSpan(Prefix.Length), given, out var consumed, out var written);
        if (status != OperationStatus.Done || written != given.Length || consumed != signatureHeader.Length - Prefix.Length)
            return SlackVerification.BadSignature;

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(_key, timestampHeader, body, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected) ? SlackVerification.Valid : SlackVerification.BadSignature;
    }

    /// <summary>The <c>X-Slack-Signature</c> value Slack would send for this request.</summary>
    public static string Sign(string signingSecret, string timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Compute(Encoding.UTF8.GetBytes(signingSecret), timestamp, body, hash);
        return Prefix + Convert.ToHexStringLower(hash);
    }

    private static void Compute(byte[] key, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"v0:{timestamp}:"));
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}
