using Orchestrator.Host.Cli;
using Orchestrator.Host.Storage;
using Orchestrator.Host.Tests.Infrastructure;
using static Orchestrator.Host.Tests.Infrastructure.SlackStory;

namespace Orchestrator.Host.Tests.Storage;

/// <summary>The store holds everyone's requests and answers: on Unix only its owner may read it, or any copy of it.</summary>
public sealed class StoreFileModeTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = OwnerReadWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task The_store_its_log_and_the_folder_made_for_them_are_the_owners_alone()
    {
        if (OperatingSystem.IsWindows()) return;
        var folder = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"modes-{Guid.NewGuid():N}", "data");
        var db = Path.Combine(folder, "orchestrator.db");
        await using var slack = await StartSlack();
        await using (var host = TestHost.Start(slack, dbPath: db))
        {
            await host.Command(slack, Alice, "start purchase item=Chair amount=120");
            await slack.WaitFor(s => s.Cards(Bob).Count == 1, timeout: TimeSpan.FromSeconds(60), what: "Bob's card (the store was written)");

            Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(folder));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(db));
            Assert.True(File.Exists(StoreFiles.LogOf(db)), "LiteDB keeps its log beside the store while it runs");
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(StoreFiles.LogOf(db)));

            // A read-only command's copy is as private as the store.
            using var snapshot = StoreSnapshot.Open(db);
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(snapshot.CopyPath));
            Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(Path.GetDirectoryName(snapshot.CopyPath)!));
            if (File.Exists(StoreFiles.LogOf(snapshot.CopyPath)))
                Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(StoreFiles.LogOf(snapshot.CopyPath)));
        }
        // Reopened, the store keeps its mode and its log is made private again.
        using var reopened = new LiteDbStore(db);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(db));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(StoreFiles.LogOf(db)));
    }
}
