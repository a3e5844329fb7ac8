namespace Orchestrator.Benchmarks;

/// <summary>
/// Start-up time to healthy and resident memory of the built host as its own process, on a file holding many open
/// instances. The ceiling of both is an empty ASP.NET Core app (this program with <see cref="BareServer.Flag"/>).
/// </summary>
internal static class ProcessScenario
{
    public static async Task<IEnumerable<Figure>> Run(string dbPath, int open, int repeats)
    {
        // The seeded file is written without an audit key, like a store from before keyed chains: the first start seals its
        // chains once (an upgrade's one-time cost, reported apart); the figures below are every later start.
        double firstStart;
        using (var first = await ChildProcess.StartHost(dbPath))
        {
            using var http = new HttpClient { BaseAddress = first.BaseUrl };
            await http.GetAsync("readyz");
            firstStart = first.StartedIn.TotalMilliseconds;
        }
        var hostStarts = new List<double>();
        var bareStarts = new List<double>();
        long hostMemory = 0, bareMemory = 0;
        for (var i = 0; i < repeats; i++)
        {
            using (var bare = await ChildProcess.StartBare())
            {
                bareStarts.Add(bare.StartedIn.TotalMilliseconds);
                await Task.Delay(1000);
                bareMemory = Math.Max(bareMemory, bare.WorkingSetBytes);
            }
            using var host = await ChildProcess.StartHost(dbPath);
            hostStarts.Add(host.StartedIn.TotalMilliseconds);
            // Ask what readiness asks (the store opens and counts its instances), then let start-up work settle.
            using (var http = new HttpClient { BaseAddress = host.BaseUrl })
                await http.GetAsync("readyz");
            await Task.Delay(1000);
            hostMemory = Math.Max(hostMemory, host.WorkingSetBytes);
        }
        double start = Stats.Median(hostStarts), bareStart = Stats.Median(bareStarts);
        double mb = hostMemory / 1048576.0, bareMb = bareMemory / 1048576.0;
        return
        [
            new Figure($"start-up to healthy, {open:N0} open", start, "ms", bareStart, "empty ASP.NET Core app to healthy", "≤ 1500 ms", start <= 1500,
                $"median of {repeats}, child process, includes runtime start"),
            new Figure($"resident memory, {open:N0} open", mb, "MB", bareMb, "empty ASP.NET Core app", "≤ 300 MB", mb <= 300,
                "working set of the host process after /readyz"),
            new Figure($"first start after upgrade (seals {open:N0} unkeyed audit chains once)", firstStart, "ms", bareStart, "empty ASP.NET Core app to healthy", "—", true,
                "one-time; child process, includes runtime start"),
        ];
    }
}
