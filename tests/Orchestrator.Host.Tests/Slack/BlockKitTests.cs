using System.Text.Json;
using Orchestrator.Host.Slack;

namespace Orchestrator.Host.Tests.Slack;

public sealed class BlockKitTests
{
    [Fact]
    public void A_section_with_a_button_is_written_in_slacks_shape_with_type_first_and_no_nulls()
    {
        Block block = new SectionBlock(
            new Markdown("*Expense of 120 EUR*"),
            [new PlainText("Amount"), new Markdown("120")],
            "summary",
            new ButtonElement("approve", new PlainText("Approve"), "expense-17", ButtonStyle.Primary));

        var json = JsonSerializer.Serialize(block, SlackJson.Options);

        Assert.Equal(
            """{"type":"section","text":{"type":"mrkdwn","text":"*Expense of 120 EUR*"},"fields":[{"type":"plain_text","text":"Amount"},{"type":"mrkdwn","text":"120"}],"block_id":"summary","accessory":{"type":"button","action_id":"approve","text":{"type":"plain_text","text":"Approve"},"value":"expense-17","style":"primary"}}""",
            json);
    }

    [Fact]
    public void Plain_text_declared_as_itself_still_carries_its_type()
    {
        var json = JsonSerializer.Serialize<Block>(new HeaderBlock(new PlainText("Expense approval")), SlackJson.Options);

        Assert.Equal("""{"type":"header","text":{"type":"plain_text","text":"Expense approval"}}""", json);
    }

    [Fact]
    public void A_modal_with_inputs_is_written_in_slacks_shape()
    {
        var modal = new ModalView(
            new PlainText("Start expense"),
            [
                new InputBlock(new PlainText("Amount (EUR)"), new NumberInputElement("amount", IsDecimalAllowed: true), "amount"),
                new InputBlock(new PlainText("Due"), new DatePickerElement("due", new DateOnly(2026, 12, 1)), "due", Optional: true),
                new InputBlock(
                    new PlainText("Cost centre"),
                    new StaticSelectElement("centre", [new SelectOption(new PlainText("R&D"), "rd")]),
                    "centre",
                    Hint: new PlainText("Ask finance if unsure")),
                new DividerBlock(),
                new ContextBlock([new Markdown("Requested by <@U100>")]),
            ],
            CallbackId: "start_expense",
            PrivateMetadata: "expense",
            Submit: new PlainText("Start"),
            Close: new PlainText("Cancel"));

        var json = JsonSerializer.Serialize(modal, SlackJson.Options);

        Assert.Equal(
            """{"type":"modal","title":{"type":"plain_text","text":"Start expense"},"blocks":[""" +
            """{"type":"input","label":{"type":"plain_text","text":"Amount (EUR)"},"element":{"type":"number_input","action_id":"amount","is_decimal_allowed":true},"block_id":"amount"},""" +
            """{"type":"input","label":{"type":"plain_text","text":"Due"},"element":{"type":"datepicker","action_id":"due","initial_date":"2026-12-01"},"block_id":"due","optional":true},""" +
            """{"type":"input","label":{"type":"plain_text","text":"Cost centre"},"element":{"type":"static_select","action_id":"centre","options":[{"text":{"type":"plain_text","text":"R\u0026D"},"value":"rd"}]},"block_id":"centre","hint":{"type":"plain_text","text":"Ask finance if unsure"}},""" +
            """{"type":"divider"},{"type":"context","elements":[{"type":"mrkdwn","text":"Requested by \u003C@U100\u003E"}]}]""" +
            ""","callback_id":"start_expense","private_metadata":"expense","submit":{"type":"plain_text","text":"Start"},"close":{"type":"plain_text","text":"Cancel"}}""",
            json);
    }

    [Fact]
    public void A_home_view_is_written_with_type_home()
    {
        var json = JsonSerializer.Serialize(new HomeView([new DividerBlock()]), SlackJson.Options);

        Assert.Equal("""{"type":"home","blocks":[{"type":"divider"}]}""", json);
    }
}
