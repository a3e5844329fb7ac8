using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Host.Slack;

namespace Orchestrator.Host.Tests.Slack;

public sealed class SlackSignatureTests
{
    // Slack's documented example request ("Verifying requests from Slack").
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Timestamp = "1531420618";
    private const string Signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar" +
        "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com" +
        "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");

    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(1531420618);

    [Fact]
    public void Signing_slacks_example_gives_slacks_signature()
    {
        Assert.Equal(Signature, SlackSignatureVerifier.Sign(Secret, Timestamp, Body));
    }

    [Fact]
    public void Slacks_example_request_is_valid_when_it_arrives()
    {
        Assert.Equal(SlackVerification.Valid, Verifier(SentAt).Verify(Timestamp, Signature, Body));
    }

    [Fact]
    public void An_uppercase_hex_signature_is_still_valid()
    {
        var upper = "v0=" + Signature[3..].ToUpperInvariant();

        Assert.Equal(SlackVerification.Valid, Verifier(SentAt).Verify(Timestamp, upper, Body));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(299, true)]
    [InlineData(300, true)]
    [InlineData(301, false)]
    [InlineData(-300, true)]
    [InlineData(-301, false)]
    [InlineData(86_400, false)]
    public void Requests_are_accepted_only_within_five_minutes_of_their_timestamp(int secondsLater, bool accepted)
    {
        var expected = accepted ? SlackVerification.Valid : SlackVerification.StaleTimestamp;

        Assert.Equal(expected, Verifier(SentAt.AddSeconds(secondsLater)).Verify(Timestamp, Signature, Body));
    }

    [Theory]
    [InlineData(null, Signature)]
    [InlineData(Timestamp, null)]
    [InlineData("", Signature)]
    [InlineData(Timestamp, "")]
    public void A_request_without_both_headers_is_refused(string? timestamp, string? signature)
    {
        Assert.Equal(SlackVerification.MissingHeaders, Verifier(SentAt).Verify(timestamp, signature, Body));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1531420618")]
    [InlineData("99999999999999999999")]
    public void A_timestamp_that_is_not_a_unix_time_is_refused(string timestamp)
    {
        Assert.Equal(SlackVerification.StaleTimestamp, Verifier(SentAt).Verify(timestamp, Signature, Body));
    }

    [Theory]
    [InlineData("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504")]
    [InlineData("v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
    [InlineData("a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
    [InlineData("v0=a2114d57")]
    [InlineData("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50300")]
    [InlineData("v0=zz114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")]
    public void A_wrong_or_malformed_signature_is_refused(string signature)
    {
        Assert.Equal(SlackVerification.BadSignature, Verifier(SentAt).Verify(Timestamp, signature, Body));
    }

    [Fact]
    public void A_changed_body_is_refused()
    {
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body).Replace("roadrunner", "coyote"));

        Assert.Equal(SlackVerification.BadSignature, Verifier(SentAt).Verify(Timestamp, Signature, tampered));
    }

    [Fact]
    public void A_request_signed_with_another_secret_is_refused()
    {
        var forged = SlackSignatureVerifier.Sign("not-the-secret", Timestamp, Body);

        Assert.Equal(SlackVerification.BadSignature, Verifier(SentAt).Verify(Timestamp, forged, Body));
    }

    private static SlackSignatureVerifier Verifier(DateTimeOffset now) => new(Secret, new FakeTimeProvider(now));
}
