// TEMPORARY: replaced by the definitions branch on merge.
namespace Orchestrator.Core.Definitions;

[System.Text.Json.Serialization.JsonConverter(typeof(ConditionJsonConverter))]
public sealed class Condition
{
    public string Source { get; init; } = "";
    public bool Evaluate(IReadOnlyDictionary<string, string> inputs) => true;
}
public sealed class ConditionJsonConverter : System.Text.Json.Serialization.JsonConverter<Condition>
{
    public override Condition? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) => new() { Source = reader.GetString()! };
    public override void Write(System.Text.Json.Utf8JsonWriter writer, Condition value, System.Text.Json.JsonSerializerOptions options) => writer.WriteStringValue(value.Source);
}
[System.Text.Json.Serialization.JsonConverter(typeof(BusinessHoursJsonConverter))]
public sealed class BusinessHours { public string Source { get; init; } = ""; }
public sealed class BusinessHoursJsonConverter : System.Text.Json.Serialization.JsonConverter<BusinessHours>
{
    public override BusinessHours? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) => new() { Source = reader.GetString()! };
    public override void Write(System.Text.Json.Utf8JsonWriter writer, BusinessHours value, System.Text.Json.JsonSerializerOptions options) => writer.WriteStringValue(value.Source);
}
public static class Template { public static string Render(string t, IReadOnlyDictionary<string, string> v) => t; }
public static class Durations { public static string Format(TimeSpan t) => t.ToString(); }
public sealed record InputError(string Field, string Message);
public sealed class InputValidation
{
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<InputError> Errors { get; init; } = [];
    public IReadOnlyList<InputDefinition> MissingRequired { get; init; } = [];
}
public static class InputValidator { public static InputValidation Validate(WorkflowDefinition d, IReadOnlyDictionary<string, string> raw) => new() { Values = raw }; }
public sealed record DefinitionError(string Path, int Line, string Field, string Message);
public sealed class DefinitionLoadResult
{
    public IReadOnlyList<WorkflowDefinition> Definitions { get; init; } = [];
    public IReadOnlyList<DefinitionError> Errors { get; init; } = [];
    public bool IsValid => Errors.Count == 0;
}
public static class DefinitionLoader { public static DefinitionLoadResult LoadFolder(string f) => new(); }
