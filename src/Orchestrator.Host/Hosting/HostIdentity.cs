namespace Orchestrator.Host.Hosting;

/// <summary>This process among the hosts sharing one store: who holds a claimed message or request.</summary>
internal sealed class HostIdentity
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
}
