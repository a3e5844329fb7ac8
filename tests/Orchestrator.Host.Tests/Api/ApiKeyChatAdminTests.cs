using System.Net;
using Orchestrator.Host.Tests.Fakes;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Api;

/// <summary>
/// On LiteDB no second process may write the store while the host runs, so admins list and revoke API keys in chat: a
/// leaked key stops working at once, without a restart.
/// </summary>
public sealed class ApiKeyChatAdminTests : IAsyncLifetime
{
    private SlackFake _slack = null!;
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _slack = await StartSlack();
        _host = TestHost.Start(_slack);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task An_admin_revokes_a_leaked_key_in_chat_and_the_running_host_refuses_it_at_once()
    {
        var key = _host.CreateKey("jira");
        Assert.Equal(HttpStatusCode.OK, (await _host.Get("/api/v1/instances", key)).StatusCode);

        var list = await _host.Answer(_slack, Carol, "admin keys", "API keys (1)");
        Assert.Contains("jira — acts as system:jira", list);
        Assert.DoesNotContain(key, list);

        var revoked = await _host.Answer(_slack, Carol, "admin revoke-key jira", "Revoked the API key 'jira'");
        Assert.Contains("every request with it gets 401", revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Get("/api/v1/instances", key)).StatusCode);
        Assert.Contains("revoked", await _host.Answer(_slack, Carol, "admin keys", "API keys (1)"));
    }

    [Fact]
    public async Task Someone_who_is_not_an_admin_can_neither_list_nor_revoke_keys_and_the_key_keeps_working()
    {
        var key = _host.CreateKey("jira");

        Assert.Contains("Only admins can list API keys.", await _host.Answer(_slack, Alice, "admin keys", "Only admins"));
        Assert.Contains("Nothing was changed.", await _host.Answer(_slack, Alice, "admin revoke-key jira", "Only admins"));

        Assert.Equal(HttpStatusCode.OK, (await _host.Get("/api/v1/instances", key)).StatusCode);
        Assert.Null(Assert.Single(_host.Store.AllApiKeys()).Revoked);
    }

    [Theory]
    [InlineData("admin revoke-key nobody", "There is no API key named 'nobody'. See admin keys.")]
    [InlineData("admin revoke-key", "admin revoke-key needs the name of one API key.")]
    [InlineData("admin revoke-key jira extra", "admin revoke-key needs the name of one API key.")]
    [InlineData("admin revoke-key Bad/Name!", "is not a key name")]
    [InlineData("admin keys now", "admin keys takes nothing after it.")]
    public async Task A_wrong_revocation_is_answered_and_changes_nothing(string text, string expect)
    {
        var key = _host.CreateKey("jira");

        Assert.Contains(expect, await _host.Answer(_slack, Carol, text, expect));

        Assert.Equal(HttpStatusCode.OK, (await _host.Get("/api/v1/instances", key)).StatusCode);
        Assert.Null(Assert.Single(_host.Store.AllApiKeys()).Revoked);
    }

    [Fact]
    public async Task Revoking_a_key_twice_says_it_is_already_revoked()
    {
        _host.CreateKey("jira");
        await _host.Answer(_slack, Carol, "admin revoke-key jira", "Revoked");

        Assert.Contains("already revoked", await _host.Answer(_slack, Carol, "admin revoke-key jira", "already revoked"));
    }
}
