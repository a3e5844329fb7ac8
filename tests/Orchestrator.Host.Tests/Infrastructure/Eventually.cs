namespace Orchestrator.Host.Tests.Infrastructure;

/// <summary>Waits on an observable condition with a generous bound (the machine may be loaded), never on the wall clock alone.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Default = TimeSpan.FromMinutes(2);

    public static Task Until(Func<bool> condition, string what, TimeSpan? within = null) =>
        Until(() => Task.FromResult(condition()), what, within);

    public static async Task Until(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? Default;
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit) Assert.Fail($"{what}: not within {limit.TotalSeconds:F0} s");
            await Task.Delay(50);
        }
    }
}
