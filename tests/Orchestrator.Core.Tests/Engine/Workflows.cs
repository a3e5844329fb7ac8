namespace Orchestrator.Core.Tests.Engine;

/// <summary>Small workflow files the engine and command tests start.</summary>
internal static class Workflows
{
    /// <summary>Manager approves; finance (either of two) approves above 1000; IT is told.</summary>
    public const string Purchase = """
        id: purchase
        name: Purchase request
        inputs:
          - { id: amount, label: Amount (EUR), type: number, required: true }
          - { id: item, label: Item, type: text, required: true }
          - { id: note, label: Note, type: text }
        steps:
          - id: manager
            title: "{{item}} for {{amount}} EUR"
            assignees: manager
            due: 1d
          - id: finance
            title: "Finance check: {{item}}"
            when: amount > 1000
            assignees: role:finance
            mode: any
          - id: tell-it
            kind: notify
            title: "Order {{item}}"
            assignees: role:it
        """;

    /// <summary>Both finance people must approve, then Grace grants the access.</summary>
    public const string Access = """
        id: access
        name: Access request
        inputs:
          - { id: system, label: System, type: choice, options: [github, aws], required: true }
        steps:
          - id: security
            title: "Access to {{system}} for {{requester}}"
            assignees: role:finance
            mode: all
          - id: grant
            kind: task
            title: "Grant {{system}}"
            assignees: person:grace@example.com
        """;

    /// <summary>Two of Carol, Dave and Frank must approve.</summary>
    public const string Budget = """
        id: budget
        name: Budget change
        steps:
          - id: board
            title: Budget change
            assignees: [role:finance, person:frank@example.com]
            mode: quorum:2
        """;
}
