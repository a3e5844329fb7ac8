using Orchestrator.Core.Commands;
using Orchestrator.Core.Engine;

namespace Orchestrator.Host.Teams;

/// <summary>The answer to <c>home</c> in Teams: the same content as Slack's App Home, as one Adaptive Card.</summary>
internal static class TeamsHome
{
    public static AdaptiveCard Render(HomeModel home)
    {
        var body = new List<CardElement>
        {
            new TextBlock(home.Waiting.Count == 0 ? "Nothing waits for you 🎉" : $"Waiting for you ({home.Waiting.Count})") { Size = "Medium", Weight = "Bolder" },
        };
        foreach (var w in home.Waiting)
        {
            body.Add(new TextBlock($"**{w.Title}** · {w.InstanceId}") { Separator = true });
            body.Add(new TextBlock($"from {w.RequestedBy} · since {TimeText.Format(w.Since, home.Zone)}"
                + (w.DueAt is { } due ? $" · due {TimeText.Format(due, home.Zone)}" : "")
                + (w.Note is null ? "" : $" · {CardText.Clip(w.Note, 300, CardText.More(w.InstanceId))}")) { IsSubtle = true, Spacing = "None" });
        }
        if (home.Waiting.Count > 0)
            body.Add(new TextBlock("Answer each on its card in this chat.") { IsSubtle = true, Size = "Small" });

        body.Add(new TextBlock(home.Requests.Count == 0 ? "You have not started any request yet" : "Your requests") { Size = "Medium", Weight = "Bolder", Separator = true, Spacing = "Large" });
        if (home.Requests.Count > 0)
            body.Add(new FactSet(home.Requests.Select(r => new Fact(r.InstanceId, CardText.Clip($"{r.WorkflowName}: {r.Where}", 500))).ToList()));
        return new AdaptiveCard(body) { FallbackText = CardText.Clip(home.ToText(), 2000) };
    }
}
