using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Definitions;
using Orchestrator.Core.Engine;
using Orchestrator.Core.Instances;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Api;

/// <summary>
/// <c>/api/v1</c>: other systems start, follow and complete work. Every error is RFC 9457 problem details; a bad field
/// is named in <c>errors</c>.
/// </summary>
internal static class ApiEndpoints
{
    public const string Via = "api";
    public const int DefaultLimit = 50, MaxLimit = 500;
    private const int MaxExternalRef = 200;

    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        var api = app.MapGroup("/api/v1").RequireAuthorization(ApiKeyDefaults.Policy).WithBodyLimit(RequestLimits.Api)
            .WithTags("Orchestrator")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapPost("/workflows/{id}/instances", Start).Accepts<StartInstanceRequest>("application/json")
            .WithName("StartInstance")
            .WithSummary("Starts an instance of a workflow for a requester in the directory; the key's system is recorded as who started it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/instances/{id}", Get)
            .WithName("GetInstance")
            .WithSummary("One instance: state, current owners, due times and history.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/instances", List)
            .WithName("ListInstances")
            .WithSummary("Instances by state and workflow, oldest id first; pass 'next' back as 'after' for more.");
        api.MapPost("/instances/{id}/events", PostEvent).Accepts<InstanceEventRequest>("application/json")
            .WithName("PostInstanceEvent")
            .WithSummary("Completes a task assigned to the key's system (type complete) or adds a comment as that system (type comment).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<Results<Created<InstanceView>, ValidationProblem, ProblemHttpResult>> Start(
        string id, HttpRequest request, ClaimsPrincipal user, WorkflowEngine engine, Catalog catalog)
    {
        var definition = catalog.Find(id);
        if (definition is null)
            return NotFound($"There is no workflow '{id}'. Workflows: {string.Join(", ", catalog.Definitions.Select(d => d.Id))}.");
        var (body, malformed) = await ReadJson<StartInstanceRequest>(request);
        if (malformed is not null) return malformed;

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var requester = body!.Requester?.Trim();
        if (string.IsNullOrEmpty(requester))
            errors["requester"] = ["is required: the email of a person in the directory"];
        else if (catalog.People.Find(requester) is null)
            errors["requester"] = [$"'{requester}' is not a person in the directory"];
        if (body.ExternalRef is { Length: > MaxExternalRef })
            errors["external_ref"] = [$"is at most {MaxExternalRef} characters"];

        var inputs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in body.Inputs ?? [])
        {
            // Input ids are matched without regard to case, so "amount" and "AMOUNT" would silently be one input.
            if (inputs.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) is { } first)
                errors[$"inputs.{key}"] = [$"is given twice (also as '{first}'); give each input once"];
            else if (Scalar(value) is { } text) inputs[key] = text;
            else errors[$"inputs.{key}"] = ["must be a string, a number or a boolean"];
        }
        // The API cannot open a form: every missing required input is an error, reported together with the invalid ones.
        var validation = InputValidator.Validate(definition, inputs);
        foreach (var e in validation.Errors) errors[$"inputs.{e.Field}"] = [e.Message];
        foreach (var missing in validation.MissingRequired) errors[$"inputs.{missing.Id}"] = [$"is required ({missing.Label}, {InstanceView.Name(missing.Type)})"];
        if (errors.Count > 0) return Invalid(errors);

        var result = engine.Start(definition.Id, inputs, requester!, Via, body.ExternalRef, startedBy: WorkflowEngine.SystemPrefix + ApiKeyDefaults.SystemOf(user));
        if (result.Outcome != StartOutcome.Started || result.Instance is not { } instance)
            return TypedResults.Problem($"The workflow could not be started ({result.Outcome}).", statusCode: StatusCodes.Status400BadRequest);
        return TypedResults.Created($"/api/v1/instances/{instance.Id}", InstanceView.Of(instance, catalog, withHistory: true));
    }

    private static Results<Ok<InstanceView>, ProblemHttpResult> Get(string id, IInstances store, Catalog catalog) =>
        store.Get(id) is { } instance ? TypedResults.Ok(InstanceView.Of(instance, catalog, withHistory: true)) : NotFound($"There is no instance '{id}'.");

    private static Results<Ok<InstanceList>, ValidationProblem> List(
        IInstances store, Catalog catalog, string? state = null, string? workflow = null, string? limit = null, string? after = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? storedState = null;
        if (!string.IsNullOrWhiteSpace(state))
        {
            if (Enum.TryParse<InstanceState>(state.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsDigit(state.Trim()[0]))
                storedState = parsed.ToString();
            else
                errors["state"] = [$"'{state}' is not a state; use one of {string.Join(", ", Enum.GetValues<InstanceState>().Select(InstanceView.Name))}"];
        }
        var take = DefaultLimit;
        if (!string.IsNullOrWhiteSpace(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
            errors["limit"] = [$"'{limit}' must be a whole number from 1 to {MaxLimit}"];
        if (errors.Count > 0) return Invalid(errors);

        var page = store.ListInstances(storedState, string.IsNullOrWhiteSpace(workflow) ? null : workflow.Trim().ToLowerInvariant(),
            string.IsNullOrWhiteSpace(after) ? null : after.Trim(), take + 1);
        var items = page.Take(take).Select(i => InstanceView.Of(i, catalog, withHistory: false)).ToList();
        return TypedResults.Ok(new InstanceList(items, page.Count > take ? items[^1].Id : null));
    }

    private static async Task<Results<Ok<InstanceView>, ValidationProblem, ProblemHttpResult>> PostEvent(
        string id, HttpRequest request, ClaimsPrincipal user, WorkflowEngine engine, IInstances store, Catalog catalog)
    {
        if (store.Get(id) is null) return NotFound($"There is no instance '{id}'.");
        var (body, malformed) = await ReadJson<InstanceEventRequest>(request);
        if (malformed is not null) return malformed;

        // A key acts as the one system it was created for: it completes that system's steps and comments as it, never as anyone else.
        var system = ApiKeyDefaults.SystemOf(user);
        var actor = WorkflowEngine.SystemPrefix + system;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DecideResult result;
        string textField;
        switch (body!.Type?.Trim().ToLowerInvariant())
        {
            case "complete":
                if (string.IsNullOrWhiteSpace(body.Step)) errors["step"] = ["is required: the id of the task step to complete"];
                if (errors.Count > 0) return Invalid(errors);
                textField = "comment";
                if (!string.IsNullOrWhiteSpace(body.System) && ApiKeyStore.NormalSystem(body.System) != system)
                    return Forbidden($"This key acts as {actor}; it cannot complete steps of system:{ApiKeyStore.NormalSystem(body.System)}. Nothing was changed.");
                result = engine.CompleteSystemTask(id, body.Step!.Trim(), system, string.IsNullOrWhiteSpace(body.Comment) ? null : body.Comment, Via);
                break;
            case "comment":
                if (string.IsNullOrWhiteSpace(body.Text)) return Invalid(new() { ["text"] = ["is required: the comment to add"] });
                if (!string.IsNullOrWhiteSpace(body.Author) && ApiKeyStore.NormalSystem(body.Author) != system)
                    return Forbidden($"This key comments as {actor}; it cannot write as '{body.Author.Trim()}'. Leave out author. Nothing was changed.");
                textField = "text";
                result = engine.Comment(id, actor, body.Text, Via);
                break;
            default:
                return Invalid(new() { ["type"] = [$"{(body.Type is null ? "is required" : $"'{body.Type}' is not an event type")}: use complete or comment"] });
        }

        return result.Outcome switch
        {
            DecideOutcome.Recorded => TypedResults.Ok(InstanceView.Of(result.Instance!, catalog, withHistory: true)),
            DecideOutcome.NotFound when result.Instance is not null => Invalid(new() { ["step"] = [result.Message] }),
            DecideOutcome.NotFound => NotFound(result.Message),
            DecideOutcome.NotAllowed => Invalid(new() { ["step"] = [result.Message] }),
            DecideOutcome.TooLong => Invalid(new() { [textField] = [result.Message] }),
            DecideOutcome.NotAssignee => Forbidden(result.Message),
            DecideOutcome.NotSaved => TypedResults.Problem(result.Message, title: "Not saved", statusCode: StatusCodes.Status500InternalServerError),
            _ => TypedResults.Problem(result.Message, title: "The step is not open", statusCode: StatusCodes.Status409Conflict),
        };
    }

    /// <summary>The body as <typeparamref name="T"/>, or a 400 naming what is wrong with it (never a 500).</summary>
    private static async Task<(T? Body, ValidationProblem? Problem)> ReadJson<T>(HttpRequest request) where T : class
    {
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        try
        {
            // Bounded by the endpoint's body limit. String values are only decoded when read, so bad UTF-8 is caught here, once.
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
                return (null, Invalid(new() { ["body"] = ["is not valid UTF-8 text"] }));
            buffer.Position = 0;
            var body = await JsonSerializer.DeserializeAsync<T>(buffer, options, request.HttpContext.RequestAborted);
            if (body is not null) return (body, null);
            return (null, Invalid(new() { ["body"] = ["must be a JSON object"] }));
        }
        catch (JsonException e)
        {
            // The reader's message without the location suffix, which is given in words instead.
            var message = e.Message.Split(" Path: ")[0].Split(" LineNumber: ")[0].TrimEnd('.', ' ');
            var where = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
            var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            // AllowDuplicateProperties = false: the reader's own words name a .NET type, which means nothing to the caller.
            if (message.StartsWith("Duplicate propert", StringComparison.Ordinal))
                return (null, Invalid(new() { [field] = [$"is given twice{where}; give each property once"] }));
            return (null, Invalid(new() { [field] = [$"could not be read as JSON: {message}{where}"] }));
        }
    }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => StringOf(value),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "",
        _ => null,
    };

    /// <summary>The text of a JSON string, or null when its escapes do not make valid text (a lone surrogate such as <c>\udc00</c>).</summary>
    private static string? StringOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));

    private static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, title: "Not this key's system", statusCode: StatusCodes.Status403Forbidden);

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, title: "Not found", statusCode: StatusCodes.Status404NotFound);
}
