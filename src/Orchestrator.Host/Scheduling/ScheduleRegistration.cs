using Coravel;
using Microsoft.Extensions.Options;
using Orchestrator.Host.Hosting;

namespace Orchestrator.Host.Scheduling;

/// <summary>All schedules, registered in one place.</summary>
internal static class ScheduleRegistration
{
    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddScheduler();
        services.AddTransient<SchedulerTick>();
        services.AddTransient<DigestJob>();
        services.AddTransient<RetentionJob>();
        return services;
    }

    public static IHost UseSchedules(this IHost app)
    {
        var seconds = app.Services.GetRequiredService<IOptions<SchedulerOptions>>().Value.TickSeconds;
        app.Services.UseScheduler(scheduler =>
        {
            var tick = scheduler.Schedule<SchedulerTick>();
            var scheduled = seconds < 60 ? tick.EverySeconds(seconds) : tick.Cron($"*/{Math.Max(1, seconds / 60)} * * * *");
            scheduled.PreventOverlapping(nameof(SchedulerTick));
            scheduler.Schedule<DigestJob>().EveryFiveMinutes().PreventOverlapping(nameof(DigestJob));
            scheduler.Schedule<RetentionJob>().Hourly().PreventOverlapping(nameof(RetentionJob));
        });
        return app;
    }
}
