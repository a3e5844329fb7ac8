namespace Orchestrator.Benchmarks;

/// <summary>One measured figure beside its ceiling (the same work's physical floor measured in the same run).</summary>
internal sealed record Figure(string Name, double Value, string Unit, double? Ceiling, string CeilingWhat, string Goal, bool Met, string? Note = null)
{
    /// <summary>How many times the ceiling the figure is (for times: ≥ 1; closer to 1 is better).</summary>
    public double? Ratio => Ceiling is > 0 ? Value / Ceiling : null;
}
