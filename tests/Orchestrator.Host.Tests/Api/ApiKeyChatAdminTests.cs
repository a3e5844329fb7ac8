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

    private async Task<string> Reply(string user, string text, string expect)
    {
        var id = $"cmd-{Guid.NewGuid():N}";
        await _host.Command(_slack, user, text, id);
        await _slack.WaitFor(s => s.ResponsesTo(id).Any(r => r.Contains(expect)), what: $"the answer to '{text}' saying '{expect}'");
        return _slack.ResponsesTo(id).First(r => r.Contains(expect));
    }

    [Fact]
    public async Task An_admin_revokes_a_leaked_key_in_chat_and_the_running_host_refuses_it_at_once()
    {
        var key = _host.CreateKey("jira");
        Assert.Equal(HttpStatusCode.OK, (await _host.Get("/api/v1/instances", key)).StatusCode);

        var list = await Reply(Carol, "admin keys", "API keys (1)");
        Assert.Contains("jira — acts as system:jira", list);
        Assert.DoesNotContain(key, list);

        var revoked = await Reply(Carol, "admin revoke-key jira", "Revoked the API key 'jira'");
        Assert.Contains("every request with it gets 401", revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Get("/api/v1/instances", key)).StatusCode);
        Assert.Contains("revoked", await Reply(Carol, "admin keys", "API keys (1)"));
    }

    [Fact]
    public async Task Someone_who_is_not_an_admin_can_neither_list_nor_revoke_keys_and_the_key_keeps_working()
    {
        var key = _host.CreateKey("jira");

        Assert.Contains("Only admins can list API keys.", await Reply(Alice, "admin keys", "Only admins"));
        Assert.Contains("Nothing was changed.", await Reply(Alice, "admin revoke-key jira", "Only admins"));

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

        Assert.Contains(expect, await Reply(Carol, text, expect));

        Assert.Equal(HttpStatusCode.OK, (await _host.Get("/api/v1/instances", key)).StatusCode);
        Assert.Null(Assert.Single(_host.Store.AllApiKeys()).Revoked);
    }

    [Fact]
    public async Task Revoking_a_key_twice_says_it_is_already_revoked()
    {
        _host.CreateKey("jira");
        await Reply(Carol, "admin revoke-key jira", "Revoked");

        Assert.Contains("already revoked", await Reply(Carol, "admin revoke-key jira", "already revoked"));
    }
}
