using Orchestrator.Core.Definitions;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.People;

public sealed record DirectoryLoadResult
{
    public PeopleDirectory Directory { get; init; } = PeopleDirectory.Empty;
    public IReadOnlyList<DefinitionError> Errors { get; init; } = [];
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Reads the directory file. A bad entry is reported and skipped while the good ones are kept, so one typo
/// does not make everybody unreachable. A manager link that cannot be followed (unknown person, or a cycle)
/// is reported and dropped, and the person is kept: "has no manager" is a path the workflows already handle.
/// </summary>
public static class DirectoryLoader
{
    private static readonly string[] TopKeys = ["people"];
    private static readonly string[] PersonKeys = ["email", "name", "manager", "roles", "timezone", "prefers"];

    public static DirectoryLoadResult Load(string path)
    {
        if (!File.Exists(path)) return new() { Errors = [new(path, 0, "", "the directory file does not exist")] };
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new() { Errors = [new(path, 0, "", $"cannot be read: {ex.Message}")] };
        }
    }

    public static DirectoryLoadResult Parse(string yaml, string path)
    {
        var y = new YamlNodes(path);
        var root = y.LoadRoot(yaml, out _);
        if (root is null) return new() { Errors = y.Errors };
        if (root is not YamlMappingNode mapping)
        {
            y.Error(root, "", "the directory must be a mapping with a 'people' list");
            return new() { Errors = y.Errors };
        }
        var top = y.Entries(mapping, "", TopKeys);
        if (!top.TryGetValue("people", out var peopleEntry))
        {
            y.Error(mapping, "people", "is required: a list of { email, name, manager, roles, timezone, prefers }");
            return new() { Errors = y.Errors };
        }
        if (YamlNodes.IsNull(peopleEntry.Value)) return new() { Errors = y.Errors };
        if (peopleEntry.Value is not YamlSequenceNode sequence)
        {
            y.Error(peopleEntry.Value, "people", "must be a list of people");
            return new() { Errors = y.Errors };
        }

        var entries = new List<Entry>();
        var byEmail = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (ParsePerson(y, sequence.Children[i], $"people[{i}]") is not { } entry) continue;
            if (!byEmail.TryAdd(entry.Person.Email, entry))
            {
                y.Error(entry.EmailNode, $"{entry.Prefix}.email", $"{entry.Person.Email} is already listed at {byEmail[entry.Person.Email].Prefix}");
                continue;
            }
            entries.Add(entry);
        }

        foreach (var entry in entries.Where(e => e.Person.Manager is { } m && !byEmail.ContainsKey(m)))
        {
            y.Error(entry.ManagerNode, $"{entry.Prefix}.manager", $"{entry.Person.Manager} is not in the directory");
            entry.Person = entry.Person with { Manager = null };
        }
        BreakCycles(y, entries, byEmail);

        return new() { Directory = new PeopleDirectory(entries.Select(e => e.Person)), Errors = y.Errors };
    }

    private static Entry? ParsePerson(YamlNodes y, YamlNode node, string prefix)
    {
        if (node is not YamlMappingNode item)
        {
            y.Error(node, prefix, "must be a mapping such as { email: alice@example.com, name: Alice }");
            return null;
        }
        var errorsBefore = y.Errors.Count;
        var e = y.Entries(item, prefix, PersonKeys);
        string Field(string key) => $"{prefix}.{key}";

        string? email = null;
        YamlNode emailNode = item;
        if (!e.TryGetValue("email", out var emailEntry)) y.Error(item, Field("email"), "is required");
        else if ((email = y.Text(emailEntry.Value, Field("email"))) is not null)
        {
            emailNode = emailEntry.Value;
            if (!IsEmail(email))
            {
                y.Error(emailEntry.Value, Field("email"), $"'{email}' is not an email address");
                email = null;
            }
        }

        var name = email;
        if (e.TryGetValue("name", out var nameEntry)) name = y.Text(nameEntry.Value, Field("name")) ?? name;

        string? manager = null;
        YamlNode? managerNode = null;
        if (e.TryGetValue("manager", out var managerEntry) && !YamlNodes.IsNull(managerEntry.Value))
        {
            managerNode = managerEntry.Value;
            manager = y.Text(managerEntry.Value, Field("manager"));
            if (manager is not null && !IsEmail(manager))
                y.Error(managerEntry.Value, Field("manager"), $"'{manager}' is not an email address");
        }

        var roles = new List<string>();
        if (e.TryGetValue("roles", out var rolesEntry) && !YamlNodes.IsNull(rolesEntry.Value))
        {
            foreach (var (role, _, _) in y.TextList(rolesEntry.Value, Field("roles")))
            {
                if (!roles.Contains(role, StringComparer.OrdinalIgnoreCase)) roles.Add(role);
            }
        }

        string? timeZone = null;
        if (e.TryGetValue("timezone", out var zoneEntry) && (timeZone = y.Text(zoneEntry.Value, Field("timezone"))) is not null)
        {
            try
            {
                TimeZoneInfo.FindSystemTimeZoneById(timeZone);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                y.Error(zoneEntry.Value, Field("timezone"), $"'{timeZone}' is not a known time zone; use an IANA id such as Europe/Berlin");
            }
        }

        Platform? prefers = null;
        if (e.TryGetValue("prefers", out var prefersEntry) && y.Text(prefersEntry.Value, Field("prefers")) is { } p)
        {
            if (p.Equals("slack", StringComparison.OrdinalIgnoreCase)) prefers = Platform.Slack;
            else if (p.Equals("teams", StringComparison.OrdinalIgnoreCase)) prefers = Platform.Teams;
            else y.Error(prefersEntry.Value, Field("prefers"), $"'{p}' is not one of slack, teams");
        }

        if (y.Errors.Count > errorsBefore || email is null || name is null) return null;
        var person = new Person
        {
            Email = email.ToLowerInvariant(),
            Name = name,
            Manager = manager?.ToLowerInvariant(),
            Roles = roles,
            TimeZone = timeZone,
            Prefers = prefers,
        };
        return new Entry(prefix, emailNode, managerNode, person);
    }

    /// <summary>Reports each management cycle once, at the entry that closes it, and drops that link so lookups terminate.</summary>
    private static void BreakCycles(YamlNodes y, List<Entry> entries, Dictionary<string, Entry> byEmail)
    {
        var done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var start in entries)
        {
            var path = new List<Entry>();
            var onPath = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var current = start;
            while (current is not null && !done.Contains(current.Person.Email))
            {
                if (!onPath.Add(current.Person.Email))
                {
                    var loop = path.SkipWhile(e => !e.Person.Email.Equals(current.Person.Email, StringComparison.OrdinalIgnoreCase)).ToList();
                    var closing = loop[^1];
                    var chain = string.Join(" -> ", loop.Select(e => e.Person.Email).Append(current.Person.Email));
                    y.Error(closing.ManagerNode, $"{closing.Prefix}.manager", $"management cycle: {chain}");
                    closing.Person = closing.Person with { Manager = null };
                    break;
                }
                path.Add(current);
                current = current.Person.Manager is { } m ? byEmail.GetValueOrDefault(m) : null;
            }
            foreach (var e in path) done.Add(e.Person.Email);
        }
    }

    private static bool IsEmail(string text) => Values.IsEmail(text);

    private sealed class Entry(string prefix, YamlNode emailNode, YamlNode? managerNode, Person person)
    {
        public string Prefix { get; } = prefix;
        public YamlNode EmailNode { get; } = emailNode;
        public YamlNode? ManagerNode { get; } = managerNode;
        public Person Person { get; set; } = person;
    }
}
