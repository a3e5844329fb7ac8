using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Orchestrator.Core.Commands;
using Orchestrator.Core.Engine;
using Orchestrator.Host.Cards;
using Orchestrator.Host.Delivery;
using Orchestrator.Host.Hosting;
using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Slack;

/// <summary>
/// Works through recorded Slack requests after they were acknowledged: runs commands, records decisions, and queues
/// every answer in the outbox. Each person's requests are done one after another in the order they came; different
/// people's side by side, so one person's slow request (a command naming many people, a slow users.info) holds up
/// nobody else. A request whose work failed for a passing reason (Slack down) stays, and that person's later requests
/// wait behind it.
/// </summary>
internal sealed partial class SlackInboundProcessor(
    IInstances instances,
    IInbox requests,
    IOutbox outbox,
    ISlackIdentities identities,
    HostIdentity host,
    SlackInbox inbox,
    SlackPeople people,
    CommandService commands,
    Catalog catalog,
    CardActions cards,
    TimeProvider time,
    ChannelRouter router,
    Microsoft.Extensions.Options.IOptions<DeliveryOptions> delivery,
    ILogger<SlackInboundProcessor> logger) : BackgroundService
{
    private const string Prefix = "/orchestrate ";

    /// <summary>How many people's requests are worked on at once.</summary>
    public const int MaxConcurrentPeople = 8;

    /// <summary>The most people one command may name (Slack mentions); more is refused before any of them is looked up.</summary>
    public const int MaxMentions = 20;

    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _wake = new(0, 1);

    // The person (Slack user id) each worker serves; at most one worker per person, so their requests keep their order.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _workers = new(StringComparer.Ordinal);

    private void Wake()
    {
        if (_wake.CurrentCount > 0) return;
        try { _wake.Release(); }
        catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first pass may be long (a backlog after a restart): let the host finish starting and answer /healthz meanwhile.
        await Task.Yield();
        inbox.Recorded += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    RunOnce(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPassFailed(ex);
                }
                await _wake.WaitAsync(RetryPause, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            inbox.Recorded -= Wake;
            Task[] running;
            lock (_gate) running = [.. _workers.Values];
            await Task.WhenAll(running);
        }
    }

    /// <summary>Starts a worker for each person with requests waiting and none working for them yet; returns how many it started.</summary>
    public int RunOnce(CancellationToken cancellationToken)
    {
        var started = 0;
        // Taken, not only read: another host sharing the store leaves these people's requests alone while this one holds them.
        var claimed = requests.ClaimInbound(host.Id, time.GetUtcNow(), delivery.Value.Lease, 1000);
        foreach (var queued in claimed.GroupBy(i => i.Partition ?? SlackInbox.PartitionOf(i.Kind, i.Body, i.Key), StringComparer.Ordinal))
        {
            lock (_gate)
            {
                if (_workers.Count >= MaxConcurrentPeople) break;
                if (_workers.ContainsKey(queued.Key)) continue;
                var queue = queued.ToList();
                _workers[queued.Key] = Task.Run(() => WorkAsync(queued.Key, queue, cancellationToken), CancellationToken.None);
            }
            started++;
        }
        return started;
    }

    private async Task WorkAsync(string person, IReadOnlyList<InboundItem> queue, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var item in queue)
            {
                // The list was read before an earlier worker for this person finished: what it did since is not done again.
                if (requests.IsInboundDone(item.Key)) continue;
                if (!await TryProcessAsync(item, cancellationToken))
                {
                    // Later requests of this person wait behind this one; others carry on meanwhile.
                    await Task.Delay(RetryPause, cancellationToken);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogPassFailed(ex);
        }
        finally
        {
            lock (_gate) _workers.Remove(person);
            Wake();
        }
    }

    /// <summary>Does one request; false when it failed for a passing reason and is to be tried again.</summary>
    private async Task<bool> TryProcessAsync(InboundItem item, CancellationToken cancellationToken)
    {
        try
        {
            await ProcessAsync(item, cancellationToken);
            MarkDone(item);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InboundAlreadyDoneException)
        {
            // Another host did it (this one's lease ran out meanwhile): what this one did was rolled back with its mark.
            return true;
        }
        catch (Exception ex) when (IsTransient(ex) && time.GetUtcNow() - item.Received < GiveUpAfter)
        {
            LogRetry(item.Key, ex.Message);
            return false;
        }
        catch (Exception ex)
        {
            LogFailed(ex, item.Key);
            MarkDone(item);
            return true;
        }
    }

    /// <summary>Marks a request done unless its work did already (in its own transaction), or another host did.</summary>
    private void MarkDone(InboundItem item)
    {
        try
        {
            if (!requests.IsInboundDone(item.Key)) requests.MarkInboundDone(item.Key);
        }
        catch (InboundAlreadyDoneException)
        {
        }
    }

    private static bool IsTransient(Exception ex) => ex is SlackApiException { Transient: true } or HttpRequestException or TaskCanceledException;

    private Task ProcessAsync(InboundItem item, CancellationToken ct) => item.Kind switch
    {
        SlackInbox.Command => CommandAsync(item, ct),
        SlackInbox.Action => ActionAsync(item, ct),
        SlackInbox.View => ViewAsync(item, ct),
        SlackInbox.Event => EventAsync(item, ct),
        _ => Task.CompletedTask,
    };

    private async Task CommandAsync(InboundItem item, CancellationToken ct)
    {
        var form = QueryHelpers.ParseQuery(item.Body);
        var responseUrl = form["response_url"].ToString();
        var email = await EmailAsync(form["user_id"].ToString(), ct);
        if (email is null)
        {
            Respond(item, responseUrl, NoEmail);
            return;
        }
        // Slack leaves 'text' out of a bare "/orchestrate": that is a request for help, not an error.
        var typedText = form.TryGetValue("text", out var typed) ? typed.ToString() : "";
        if (TooManyMentions(typedText) is { } refusal)
        {
            Finish(item, () => Respond(item, responseUrl, refusal));
            return;
        }
        var text = await ResolveMentionsAsync(typedText, ct);
        Finish(item, () =>
        {
            var reply = commands.Execute(text, email, SlackOutboxHandler.Platform, Prefix);
            if (reply.Form is { } startForm)
                OpenView(item, form["trigger_id"].ToString(), SlackCards.StartForm(startForm.Definition, startForm.Values));
            else
                Respond(item, responseUrl, reply.Text);
        });
    }

    /// <summary>
    /// Does the work of a recorded request and marks it done in one transaction: a host killed in between leaves neither,
    /// so the request is done again, never twice (a start would otherwise make a second instance).
    /// </summary>
    private void Finish(InboundItem item, Action work)
    {
        try
        {
            instances.Batch(() =>
            {
                work();
                requests.MarkInboundDone(item.Key);
            });
        }
        catch (BatchAbortedException)
        {
            // Nothing of it was kept. Done again alone, the change that failed fails on its own and the person is told.
            work();
            MarkDone(item);
        }
    }

    private async Task ActionAsync(InboundItem item, CancellationToken ct)
    {
        var payload = JsonNode.Parse(item.Body)!.AsObject();
        var action = payload["actions"]![0]!.AsObject();
        var actionId = SlackEndpoints.Text(action, "action_id");
        var responseUrl = SlackEndpoints.Text(payload, "response_url");
        SlackCards.TryParseButtonValue(SlackEndpoints.Text(action, "value"), out var instanceId, out var assignmentId);
        var email = await EmailAsync(SlackEndpoints.Text(payload["user"]!, "id")!, ct);
        if (email is null)
        {
            Respond(item, responseUrl, NoEmail);
            return;
        }

        if (ButtonVerb(actionId) is not { } verb) return;
        var clicked = new CardAction(instanceId, assignmentId, verb, email, SlackOutboxHandler.Platform);
        switch (cards.Handle(clicked))
        {
            // A recorded click shows on the cards themselves; a withdrawal is also confirmed, as it closes the request.
            case CardAnswered { Result: var result } when !result.Recorded || verb == CardVerb.Withdraw:
                Respond(item, responseUrl, result.Message);
                break;
            case CardPrompt prompt:
                OpenView(item, SlackEndpoints.Text(payload, "trigger_id")!, Modal(clicked, prompt));
                break;
        }
    }

    /// <summary>What a button asks for; a button only opens a form for the words a decision or question needs.</summary>
    private static CardVerb? ButtonVerb(string? actionId) => actionId switch
    {
        SlackCards.Approve => CardVerb.Approve,
        SlackCards.Done => CardVerb.Done,
        SlackCards.Reject => CardVerb.AskReason,
        SlackCards.RequestInfo => CardVerb.AskQuestion,
        SlackInfoCards.AnswerInfo => CardVerb.AskAnswer,
        SlackInfoCards.Resubmit => CardVerb.AskResubmit,
        SlackInfoCards.Withdraw => CardVerb.Withdraw,
        _ => null,
    };

    private static ModalView Modal(CardAction action, CardPrompt prompt) => prompt switch
    {
        ReasonPrompt p => SlackCards.RejectReasonModal(action.InstanceId, action.AssignmentId, p.Title),
        QuestionPrompt p => SlackInfoCards.QuestionModal(action.InstanceId, action.AssignmentId, p.Title, p.RequesterName),
        AnswerPrompt p => SlackInfoCards.AnswerModal(action.InstanceId, action.AssignmentId, p.AskerName, p.Question),
        ResubmitPrompt p => SlackInfoCards.ResubmitModal(action.InstanceId, action.AssignmentId, p.Definition, p.Inputs, p.Reason),
        _ => throw new ArgumentOutOfRangeException(nameof(prompt), prompt, "No Slack form for this prompt."),
    };

    private async Task ViewAsync(InboundItem item, CancellationToken ct)
    {
        var payload = JsonNode.Parse(item.Body)!.AsObject();
        var view = payload["view"]!.AsObject();
        var values = view["state"]!["values"]!.AsObject();
        var metadata = SlackEndpoints.Text(view, "private_metadata") ?? "";
        var email = await EmailAsync(SlackEndpoints.Text(payload["user"]!, "id")!, ct);
        if (email is null) return;

        var callback = SlackEndpoints.Text(view, "callback_id");
        switch (callback)
        {
            case SlackCards.RejectReasonCallback or SlackInfoCards.QuestionCallback or SlackInfoCards.AnswerCallback or SlackInfoCards.ResubmitCallback:
                if (!SlackCards.TryParseButtonValue(metadata, out var instanceId, out var id)) return;
                var submitted = callback switch
                {
                    SlackCards.RejectReasonCallback => new CardAction(instanceId, id, CardVerb.Reject, email, SlackOutboxHandler.Platform)
                        { Text = SlackEndpoints.StateValue(values, SlackCards.ReasonBlock) },
                    SlackInfoCards.QuestionCallback => new CardAction(instanceId, id, CardVerb.RequestInfo, email, SlackOutboxHandler.Platform)
                        { Text = SlackEndpoints.StateValue(values, SlackInfoCards.QuestionBlock) },
                    SlackInfoCards.AnswerCallback => new CardAction(instanceId, id, CardVerb.AnswerInfo, email, SlackOutboxHandler.Platform)
                        { Text = SlackEndpoints.StateValue(values, SlackInfoCards.AnswerBlock) },
                    _ => new CardAction(instanceId, id, CardVerb.Resubmit, email, SlackOutboxHandler.Platform)
                        { Form = definition => SlackEndpoints.StartFormValues(values, definition) },
                };
                // The cards it changes are the confirmation; a refusal comes as a DM, the modal being closed by then.
                if (cards.Handle(submitted) is CardAnswered { Result.Recorded: false } refused) DirectMessage(item, email, refused.Result.Message);
                break;
            case SlackCards.StartFormCallback:
                var definition = catalog.Find(metadata);
                Finish(item, () =>
                {
                    var reply = definition is null
                        ? new CommandReply($"The workflow '{metadata}' no longer exists.", IsError: true)
                        : commands.StartWith(definition.Id, SlackEndpoints.StartFormValues(values, definition), email, SlackOutboxHandler.Platform, Prefix);
                    DirectMessage(item, email, reply.Text);
                });
                break;
        }
    }

    private async Task EventAsync(InboundItem item, CancellationToken ct)
    {
        var payload = JsonNode.Parse(item.Body)!.AsObject();
        if (payload["event"] is not JsonObject e) return;
        var type = SlackEndpoints.Text(e, "type");
        var user = SlackEndpoints.Text(e, "user");
        if (type == "app_home_opened")
        {
            if (user is null || SlackEndpoints.Text(e, "tab") is not (null or "home")) return;
            var person = await EmailAsync(user, ct, speaker: false);
            if (person is null) return;
            identities.MarkHomeOpened(person);
            SlackHome.Queue(outbox, person, $"home:{item.Key}");
            return;
        }
        // Our own messages and edits come back as events too; only people's new messages are commands.
        if (user is null || e["bot_id"] is not null || SlackEndpoints.Text(e, "subtype") is not null) return;
        var isDirect = type == "message" && SlackEndpoints.Text(e, "channel_type") == "im";
        if (!isDirect && type != "app_mention") return;

        var email = await EmailAsync(user, ct);
        if (email is null) return;
        var text = MentionPattern().Replace(SlackEndpoints.Text(e, "text") ?? "", m => type == "app_mention" && m.Index == 0 ? "" : m.Value).Trim();
        if (TooManyMentions(text) is { } refusal)
        {
            Finish(item, () => DirectMessage(item, email, refusal));
            return;
        }
        text = await ResolveMentionsAsync(text, ct);
        Finish(item, () =>
        {
            var reply = commands.Execute(text, email, SlackOutboxHandler.Platform);
            DirectMessage(item, email, reply.Form is null ? reply.Text : $"{reply.Text} Use /orchestrate start {reply.Form.Definition.Id} to fill them in a form.");
        });
    }

    /// <summary>The email of a Slack user; a <paramref name="speaker"/> is remembered as last reached on Slack.</summary>
    private async Task<string?> EmailAsync(string userId, CancellationToken ct, bool speaker = true)
    {
        var email = (await people.EmailOfAsync(userId, ct))?.Email;
        if (speaker && email is not null) router.Spoke(email, SlackOutboxHandler.Platform);
        return email;
    }

    /// <summary>The answer to a command that names more people than <see cref="MaxMentions"/>, or null when it is within it.</summary>
    private static string? TooManyMentions(string text)
    {
        var count = MentionPattern().Count(text);
        return count <= MaxMentions
            ? null
            : $"A command can name at most {MaxMentions} people; this one names {count}. Nothing was started or changed.";
    }

    /// <summary>Turns Slack mentions (<c>&lt;@U123&gt;</c>, <c>&lt;@U123|name&gt;</c>) into emails, the identity the domain knows.</summary>
    private async Task<string> ResolveMentionsAsync(string text, CancellationToken ct)
    {
        foreach (var match in MentionPattern().Matches(text).Cast<Match>().DistinctBy(m => m.Value))
        {
            var email = await EmailAsync(match.Groups["id"].Value, ct, speaker: false);
            if (email is not null) text = text.Replace(match.Value, email);
        }
        return text;
    }

    private void Respond(InboundItem item, string? responseUrl, string text)
    {
        if (string.IsNullOrEmpty(responseUrl))
        {
            // A click on the App Home comes without a response_url: the private answer goes to the person's DM instead.
            if (item.Kind == SlackInbox.Action && JsonNode.Parse(item.Body)?["user"]?["id"]?.GetValue<string>() is { } userId
                && identities.EmailOfSlackUser(userId) is { } clicker)
                DirectMessage(item, clicker.Email, text);
            return;
        }
        outbox.Enqueue(OutboxKinds.SlackRespond, $"reply:{item.Key}", null, null,
            JsonSerializer.Serialize(new SlackRespondMessage(responseUrl, text), StoreJson.Options));
    }

    private void OpenView(InboundItem item, string triggerId, ModalView view) =>
        outbox.Enqueue(OutboxKinds.SlackOpenView, $"view:{item.Key}", null, null,
            JsonSerializer.Serialize(new SlackOpenViewMessage(triggerId, JsonSerializer.Serialize(view, SlackJson.Options)), StoreJson.Options));

    private void DirectMessage(InboundItem item, string email, string text) =>
        outbox.Enqueue(OutboxKinds.Effect, $"reply:{item.Key}", null, email,
            JsonSerializer.Serialize<Effect>(new NotifyPerson { Recipient = email, InstanceId = "", Text = text }, StoreJson.Options));

    private const string NoEmail = "I can't see your email address in Slack, so I can't tell who you are. An admin must grant the app the users:read.email scope.";

    [GeneratedRegex(@"<@(?<id>[UW][A-Z0-9]+)(\|[^>]*)?>")]
    private static partial Regex MentionPattern();

    [LoggerMessage(LogLevel.Warning, "Slack request {Key} could not be processed yet; it will be tried again: {Error}")]
    private partial void LogRetry(string key, string error);

    [LoggerMessage(LogLevel.Error, "Slack request {Key} failed")]
    private partial void LogFailed(Exception ex, string key);

    [LoggerMessage(LogLevel.Error, "A pass over the Slack inbox failed")]
    private partial void LogPassFailed(Exception ex);
}
