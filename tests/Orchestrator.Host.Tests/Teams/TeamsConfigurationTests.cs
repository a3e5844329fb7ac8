using System.Net;
using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Teams;

/// <summary>The Bot Framework keys are checked together at start, with a message that says what to set.</summary>
public sealed class TeamsConfigurationTests
{
    private const string AppId = "00000000-0000-0000-0000-000000000001";
    private const string Tenant = "11111111-1111-1111-1111-111111111111";

    [Theory]
    [InlineData("SingleTenant", AppId, "secret", null, "MicrosoftAppType is SingleTenant but MicrosoftAppTenantId is not set")]
    [InlineData("SingleTenant", AppId, null, Tenant, "MicrosoftAppType is SingleTenant but MicrosoftAppPassword is not set")]
    [InlineData("singletenant", AppId, "secret", null, "MicrosoftAppType is SingleTenant but MicrosoftAppTenantId is not set")]
    [InlineData("UserAssignedMSI", AppId, null, null, "MicrosoftAppType is UserAssignedMSI but MicrosoftAppTenantId is not set")]
    [InlineData("UserAssignedMSI", AppId, "secret", Tenant, "MicrosoftAppPassword must not be set")]
    [InlineData("SingleTennant", AppId, "secret", Tenant, "MicrosoftAppType 'SingleTennant' is not one the Bot Framework SDK knows")]
    [InlineData(null, AppId, "secret", Tenant, "set MicrosoftAppType=SingleTenant")]
    [InlineData(null, AppId, null, null, "MicrosoftAppId is set without MicrosoftAppPassword")]
    [InlineData("SingleTenant", null, "secret", Tenant, "are set but MicrosoftAppId is not")]
    public async Task A_combination_of_Bot_Framework_keys_the_SDK_would_refuse_or_misread_stops_the_host_at_start(
        string? type, string? appId, string? password, string? tenant, string expected)
    {
        await using var slack = await SlackStory.StartSlack();

        var failure = Record.Exception(() => TestHost.Start(slack, settings: Settings(type, appId, password, tenant)));

        Assert.NotNull(failure);
        Assert.Contains(expected, Messages(failure));
    }

    [Theory]
    [InlineData("SingleTenant", "secret", Tenant)]
    [InlineData("UserAssignedMSI", null, Tenant)]
    [InlineData("MultiTenant", "secret", null)]
    [InlineData(null, "secret", null)]
    public async Task A_combination_the_SDK_accepts_starts_the_host(string? type, string? password, string? tenant)
    {
        await using var slack = await SlackStory.StartSlack();
        await using var host = TestHost.Start(slack, settings: Settings(type, AppId, password, tenant));

        var health = await host.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static Dictionary<string, string?> Settings(string? type, string? appId, string? password, string? tenant) => new()
    {
        ["MicrosoftAppType"] = type,
        ["MicrosoftAppId"] = appId,
        ["MicrosoftAppPassword"] = password,
        ["MicrosoftAppTenantId"] = tenant,
    };

    private static string Messages(Exception failure)
    {
        var all = new List<string>();
        for (var e = failure; e is not null; e = e.InnerException)
        {
            all.Add(e.Message);
            if (e is AggregateException aggregate) all.AddRange(aggregate.InnerExceptions.Select(i => i.Message));
        }
        return string.Join("\n", all);
    }
}
