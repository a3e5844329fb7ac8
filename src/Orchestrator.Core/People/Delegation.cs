namespace Orchestrator.Core.People;

/// <summary>
/// An out-of-office hand-over: while it runs, new work for <see cref="From"/> goes to <see cref="To"/>.
/// <see cref="Ends"/> is the end of the <see cref="Until"/> date in the delegator's zone, fixed when it was made.
/// </summary>
public sealed record Delegation
{
    public required string From { get; init; }
    public required string To { get; init; }
    public DateOnly? Until { get; init; }
    public DateTimeOffset? Ends { get; init; }
    public required DateTimeOffset Since { get; init; }
    public string? Via { get; init; }

    public bool IsActiveAt(DateTimeOffset now) => Ends is null || now < Ends;
}

/// <summary>The delegations in force at one moment, and where they send a person's work.</summary>
public sealed class DelegationBook
{
    private readonly Dictionary<string, Delegation> _active = new(StringComparer.OrdinalIgnoreCase);

    public DelegationBook(IEnumerable<Delegation> delegations, DateTimeOffset now)
    {
        foreach (var d in delegations.Where(d => d.IsActiveAt(now))) _active[d.From] = d;
    }

    public static DelegationBook None { get; } = new([], DateTimeOffset.MinValue);

    public Delegation? Of(string person) => _active.GetValueOrDefault(person.Trim());

    /// <summary>
    /// The hops from <paramref name="person"/> to whoever is not away (A→B, B→C); empty when they are not away. A loop,
    /// which making a delegation refuses, counts as not away, so that work never circles.
    /// </summary>
    public IReadOnlyList<Delegation> Chain(string person)
    {
        var hops = new List<Delegation>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { person };
        var current = person;
        while (Of(current) is { } hop)
        {
            if (!seen.Add(hop.To)) return [];
            hops.Add(hop);
            current = hop.To;
        }
        return hops;
    }

    /// <summary>Who takes <paramref name="person"/>'s new work: the end of their chain, or themselves.</summary>
    public string Route(string person) => Chain(person) is { Count: > 0 } chain ? chain[^1].To : person;

    /// <summary>Whether <paramref name="actor"/> stands in for <paramref name="person"/>: somewhere on their chain.</summary>
    public bool StandsInFor(string actor, string person) =>
        Chain(person).Any(hop => string.Equals(hop.To, actor, StringComparison.OrdinalIgnoreCase));
}
