namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>A temporary workflows folder: the sample definitions plus the ones a test adds.</summary>
internal static class TestWorkflows
{
    /// <summary>Dave and Erin (finance) both get a card; the first answer decides.</summary>
    public const string Team = """
        id: team
        name: Team decision
        steps:
          - id: finance
            title: Team decision
            assignees: role:finance
            mode: any
        """;

    /// <summary>Two of Dave, Erin and Frank must approve.</summary>
    public const string Board = """
        id: board
        name: Board vote
        steps:
          - id: vote
            title: Board vote
            assignees: [role:finance, person:frank@example.com]
            mode: quorum:2
        """;

    /// <summary>Someone who is neither in the directory nor in Slack must approve.</summary>
    public const string Ghost = """
        id: ghost
        name: Ghost approval
        steps:
          - id: review
            title: Ghost review
            assignees: person:ghost@example.com
        """;

    public static string Folder(params string[] extra)
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-workflows").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "manifests", "workflows"), "*.yaml"))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        for (var i = 0; i < extra.Length; i++) File.WriteAllText(Path.Combine(folder, $"extra-{i}.yaml"), extra[i]);
        return folder;
    }
}
