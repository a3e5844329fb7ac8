using Orchestrator.Host.Storage;

namespace Orchestrator.Host.Tests.Storage;

public sealed class LiteDbStoreBatchTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "orchestrator-tests", $"{Guid.NewGuid():N}.db");
    private readonly LiteDbStore _store;

    public LiteDbStoreBatchTests() => _store = new LiteDbStore(_path);

    public void Dispose() => _store.Dispose();

    [Fact]
    public void A_batch_lands_whole_and_wakes_the_dispatcher_once()
    {
        var wakes = 0;
        _store.OutboxChanged += () => wakes++;
        _store.Batch(() =>
        {
            for (var i = 0; i < 5; i++) _store.Enqueue("x", $"k{i}", null, null, "{}");
            Assert.Equal(0, wakes);
        });
        Assert.Equal(1, wakes);
        Assert.Equal(5, _store.PendingOutbox(10).Count);
    }

    [Fact]
    public void A_batch_that_throws_leaves_nothing_behind()
    {
        var wakes = 0;
        _store.OutboxChanged += () => wakes++;
        Assert.Throws<InvalidOperationException>(() => _store.Batch(() =>
        {
            _store.Enqueue("x", "k1", null, null, "{}");
            throw new InvalidOperationException("boom");
        }));
        Assert.Empty(_store.AllOutbox());
        Assert.Equal(0, wakes);

        // The store is usable afterwards, in and out of batches.
        Assert.True(_store.Enqueue("x", "k1", null, null, "{}"));
        _store.Batch(() => Assert.False(_store.Enqueue("x", "k1", null, null, "{}")));
        Assert.Single(_store.AllOutbox());
    }
}
