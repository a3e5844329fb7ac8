namespace Orchestrator.Core.People;

public enum Platform { Slack, Teams }

/// <summary>One person of the directory file; email is the identity everywhere.</summary>
public sealed record Person
{
    public required string Email { get; init; }
    public required string Name { get; init; }
    public string? Manager { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>IANA time zone id, e.g. Europe/Berlin; null when unknown.</summary>
    public string? TimeZone { get; init; }
    public Platform? Prefers { get; init; }

    public bool HasRole(string role) => Roles.Any(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The people the bot knows: who manages whom, who holds which role.</summary>
public sealed class PeopleDirectory
{
    private readonly Dictionary<string, Person> _byEmail;

    public PeopleDirectory(IEnumerable<Person> people)
    {
        _byEmail = new Dictionary<string, Person>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in people) _byEmail[p.Email] = p;
    }

    public static PeopleDirectory Empty { get; } = new([]);

    public IReadOnlyCollection<Person> People => _byEmail.Values;

    public Person? Find(string email) => _byEmail.GetValueOrDefault(email.Trim());

    public Person? ManagerOf(string email) => Find(email)?.Manager is { } m ? Find(m) : null;

    public IReadOnlyList<Person> WithRole(string role) =>
        _byEmail.Values.Where(p => p.HasRole(role)).OrderBy(p => p.Email, StringComparer.OrdinalIgnoreCase).ToList();

    public bool IsAdmin(string email) => Find(email)?.HasRole("admin") == true;

    /// <summary>Where a person's zone comes from when the directory does not say (their Slack profile's <c>tz</c>).</summary>
    public Func<string, string?>? FallbackZone { get; init; }

    /// <summary>A person's IANA zone: the directory's, else the fallback's, else UTC.</summary>
    public TimeZoneInfo ZoneOf(string email)
    {
        var id = Find(email)?.TimeZone ?? FallbackZone?.Invoke(email);
        return id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }

    /// <summary>The display name for an email, or the email itself for a stranger.</summary>
    public string NameOf(string email) => Find(email)?.Name ?? email;
}
