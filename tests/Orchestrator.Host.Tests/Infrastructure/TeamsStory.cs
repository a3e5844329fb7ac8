using System.Net.Http.Json;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.Host.Tests.Fakes;

namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>A Teams user as the Bot Connector knows them; their 1:1 chat with the bot is <see cref="Chat"/>.</summary>
internal sealed record TeamsUser(string Id, string Name, string AadObjectId, string Email)
{
    public string Chat => $"a:chat-{Id}";
}

/// <summary>The sample directory's people as Teams users, and Bot Framework activities as Teams sends them.</summary>
internal static class TeamsStory
{
    public const string Tenant = "tenant-1";
    public const string BotId = "28:orchestrator";

    public static readonly TeamsUser Alice = new("29:alice", "Alice Adams", "aad-alice", "alice@example.com");
    public static readonly TeamsUser Bob = new("29:bob", "Bob Brown", "aad-bob", "bob@example.com");
    public static readonly TeamsUser Carol = new("29:carol", "Carol Chen", "aad-carol", "carol@example.com");

    public static async Task<BotConnectorFake> StartConnector()
    {
        var fake = await BotConnectorFake.StartNew();
        foreach (var u in new[] { Alice, Bob, Carol })
            fake.AddMember(new BotConnectorMember(u.Id, u.Name, u.AadObjectId, u.Email, u.Email, Tenant));
        return fake;
    }

    /// <summary>The sample directory with some people's <c>prefers</c> changed (null removes it), written to a temp file.</summary>
    public static string Directory(params (string Email, string? Prefers)[] changes)
    {
        var lines = File.ReadAllLines(Path.Combine(Repo.Root, "manifests", "directory.yaml")).Select(line =>
        {
            foreach (var (email, prefers) in changes)
            {
                if (!line.Contains($"email: {email},", StringComparison.Ordinal)) continue;
                line = Regex.Replace(line, @",\s*prefers:\s*\w+", "");
                if (prefers is not null) line = line.Replace(" }", $", prefers: {prefers} }}", StringComparison.Ordinal);
            }
            return line;
        });
        var path = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"directory-{Guid.NewGuid():N}.yaml");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
        return path;
    }

    public static JsonObject Activity(BotConnectorFake connector, TeamsUser from, string type, string? conversationId = null, string conversationType = "personal") => new()
    {
        ["type"] = type,
        ["id"] = $"f:{Guid.NewGuid():N}",
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
        ["channelId"] = "msteams",
        ["serviceUrl"] = connector.ServiceUrl.ToString(),
        ["from"] = new JsonObject { ["id"] = from.Id, ["name"] = from.Name, ["aadObjectId"] = from.AadObjectId },
        ["recipient"] = new JsonObject { ["id"] = BotId, ["name"] = "Orchestrator" },
        ["conversation"] = new JsonObject { ["id"] = conversationId ?? from.Chat, ["conversationType"] = conversationType, ["tenantId"] = Tenant },
        ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = Tenant } },
    };

    public static JsonObject Message(BotConnectorFake connector, TeamsUser from, string text)
    {
        var activity = Activity(connector, from, "message");
        activity["text"] = text;
        return activity;
    }

    /// <summary>
    /// What Teams sends when a user adds the bot as a personal app: only the bot is in <c>membersAdded</c>; the user who
    /// installed it is the sender.
    /// </summary>
    public static JsonObject Install(BotConnectorFake connector, TeamsUser user)
    {
        var activity = Activity(connector, user, "conversationUpdate");
        activity["membersAdded"] = new JsonArray(new JsonObject { ["id"] = BotId });
        return activity;
    }

    public static JsonObject CardAction(BotConnectorFake connector, TeamsUser from, string verb, JsonObject data)
    {
        var activity = Activity(connector, from, "invoke");
        activity["name"] = "adaptiveCard/action";
        activity["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = data.DeepClone() },
            ["trigger"] = "manual",
        };
        return activity;
    }

    public static Task<HttpResponseMessage> SendActivity(this TestHost host, JsonObject activity, string? remoteAddress = null, string? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (remoteAddress is not null) request.Headers.Add(RemoteAddressFilter.Header, remoteAddress);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return host.Client.SendAsync(request);
    }

    /// <summary>Sends an <c>adaptiveCard/action</c> invoke and returns the body of the invoke response.</summary>
    public static async Task<JsonObject> Click(this TestHost host, BotConnectorFake connector, TeamsUser from, string verb, JsonObject data)
    {
        var response = await host.SendActivity(CardAction(connector, from, verb, data));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>The data of the card's Action.Execute with this verb (what Teams sends back when it is clicked).</summary>
    public static JsonObject ActionData(this JsonObject card, string verb) =>
        (JsonObject)Actions(card).Single(a => (string?)a["verb"] == verb)["data"]!.DeepClone();

    public static IReadOnlyList<JsonObject> Actions(this JsonObject card) =>
        card["actions"] is JsonArray actions ? [.. actions.OfType<JsonObject>()] : [];

    /// <summary>The texts of a card's TextBlocks and facts, to assert on what a person reads.</summary>
    public static string Text(this JsonObject card) => card.ToJsonString(Readable);

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
