using Orchestrator.Core.Definitions;
using Orchestrator.Core.People;

namespace Orchestrator.Core.Tests.Definitions;

/// <summary>A YAML typo is one definition error with its file, line and column, never an exception.</summary>
public sealed class MalformedYamlTests
{
    private const string Path = "workflows/broken.yaml";

    private const string MissingBrace = """
        id: broken
        name: Broken
        inputs:
          - { id: amount, type: number
        steps:
          - id: a
            assignees: manager
        """;

    [Fact]
    public void A_flow_mapping_missing_its_closing_brace_is_reported_at_the_brace()
    {
        var result = DefinitionLoader.Parse(MissingBrace, Path);

        var error = Assert.Single(result.Errors);
        Assert.Empty(result.Definitions);
        Assert.Equal((Path, 4, 5), (error.Path, error.Line, error.Column));
        Assert.Equal($"{Path}:4:5: : not valid YAML: this '{{' is never closed; add its '}}'", error.ToString());
    }

    [Fact]
    public void The_same_typo_in_the_directory_is_reported_and_not_thrown()
    {
        var result = DirectoryLoader.Parse("people:\n  - { email: a@example.com, name: A\n  - { email: b@example.com }\n", "directory.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal((2, 5), (error.Line, error.Column));
        Assert.Contains("never closed", error.Message);
    }

    [Fact]
    public void A_folder_with_one_broken_file_still_loads_the_others()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-yaml").FullName;
        File.WriteAllText(System.IO.Path.Combine(folder, "broken.yaml"), MissingBrace);
        File.WriteAllText(System.IO.Path.Combine(folder, "fine.yaml"), "id: fine\nname: Fine\nsteps:\n  - { id: a, assignees: manager }\n");

        var result = DefinitionLoader.LoadFolder(folder);

        Assert.Equal(["fine"], result.Definitions.Select(d => d.Id));
        var error = Assert.Single(result.Errors);
        Assert.Equal(System.IO.Path.Combine(folder, "broken.yaml"), error.Path);
    }

    /// <summary>Every prefix of a real file, and the file with each bracket, quote or colon removed: an error or a definition, never a throw.</summary>
    [Fact]
    public void No_truncation_or_dropped_bracket_of_a_sample_throws()
    {
        var text = SampleFile("purchase.yaml") + "\n" + """
            extra: { a: [1, 2], b: "x: y" }
            """;
        var variants = Enumerable.Range(0, text.Length).Select(n => text[..n])
            .Concat(Enumerable.Range(0, text.Length).Where(i => "{}[]\"':-".Contains(text[i])).Select(i => text.Remove(i, 1)));
        foreach (var variant in variants)
        {
            var result = DefinitionLoader.Parse(variant, Path);
            Assert.True(result.Definitions.Count > 0 || result.Errors.Count > 0, variant);
            Assert.All(result.Errors, e => Assert.True(e.Line >= 0 && e.Column >= 0));
        }
    }

    private static string SampleFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "manifests", "workflows", name);
            if (File.Exists(candidate)) return File.ReadAllText(candidate);
        }
        throw new InvalidOperationException($"{name} not found above {AppContext.BaseDirectory}");
    }
}
