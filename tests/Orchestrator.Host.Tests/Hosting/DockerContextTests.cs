using Orchestrator.Host.Tests.Infrastructure;

namespace Orchestrator.Host.Tests.Hosting;

/// <summary>No Docker engine runs here, so the build context's rules are checked as text: what is left out, and in which order files go in.</summary>
public sealed class DockerContextTests
{
    private static readonly string[] Patterns = File.ReadAllLines(Path.Combine(Repo.Root, ".dockerignore"))
        .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    [Theory]
    [InlineData("**/bin/")]
    [InlineData("**/obj/")]
    [InlineData("**/TestResults/")]
    [InlineData("data/")]
    [InlineData("*.db")]
    [InlineData("*.zip")]
    [InlineData("slack-manifest.yaml")]
    public void The_build_context_leaves_out_build_outputs_local_data_and_command_outputs(string pattern)
    {
        Assert.Contains(pattern, Patterns);
    }

    [Fact]
    public void Sources_are_copied_after_restore_and_only_project_files_before_it()
    {
        var lines = File.ReadAllLines(Path.Combine(Repo.Root, "Dockerfile")).Select(l => l.Trim()).ToList();
        var restore = lines.FindIndex(l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var sources = lines.FindIndex(l => l == "COPY src/ src/");

        Assert.True(restore > 0 && sources > restore, "COPY src/ src/ must follow the restore");
        var before = lines.Take(restore).Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).ToList();
        // A whole project folder before restore would bring its obj/ too, were .dockerignore ever bypassed.
        Assert.All(before, l => Assert.All(l.Split(' ')[1..^1], f => Assert.True(f.EndsWith(".csproj") || f.EndsWith(".props") || f.EndsWith(".json") || f == ".editorconfig", l)));
        Assert.Contains("--no-restore", lines.Single(l => l.StartsWith("RUN dotnet publish", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines.Skip(sources + 1), l => l.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
    }
}
