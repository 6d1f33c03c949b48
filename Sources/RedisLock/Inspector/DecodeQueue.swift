import RESP
import Synchronization

/// Hands the reads of each pipelined batch from a scan's walk to the task that decodes them,
/// at most ``depth`` batches ahead. The walk writes the next listing command as soon as a
/// listing's reply arrives, and no longer waits for the reads' replies, their decoding, or the
/// decoder's own round trips (a Redisson hash's `TYPE` + `HGETALL`, the kinds' extra reads):
/// the server always has the next `SCAN` queued. Memory stays bounded: a walk that gets
/// ``depth`` batches ahead waits for a credit, which the decoder returns per batch decoded.
final class DecodeQueue: Sendable {
    /// The reads of one batch, in the order they were written.
    struct Item: Sendable {
        /// The keys read, in chunks, with the indices of their replies.
        var chunks: [ScanPipeline.Chunk]
        /// The reads' replies to come; `nil` when the batch held no reads.
        var replies: PendingReplies?
        /// How many read commands the batch held.
        var commandCount: Int
    }

    /// How many batches the walk may get ahead of the decoder.
    let depth: Int
    /// The batches to decode, in order (single consumer: the decoder).
    let items: AsyncStream<Item>
    private let itemSink: AsyncStream<Item>.Continuation
    /// One element per batch the walk may still write (single consumer: the walk).
    let credits: AsyncStream<Void>
    private let creditSink: AsyncStream<Void>.Continuation
    private let stopped = Mutex(false)

    init(depth: Int) {
        self.depth = max(depth, 1)
        (items, itemSink) = AsyncStream.makeStream(of: Item.self)
        (credits, creditSink) = AsyncStream.makeStream(of: Void.self)
        for _ in 0 ..< self.depth { creditSink.yield() }
    }

    /// Queues a batch's reads for the decoder.
    func send(_ item: Item) {
        itemSink.yield(item)
    }

    /// The walk is over: the decoder ends after the batches already queued.
    func finishWalk() {
        itemSink.finish()
    }

    /// The decoder is done with a batch: the walk may write one more.
    func credit() {
        creditSink.yield()
    }

    /// The decoder stopped (an error): the walk writes nothing more.
    func stopDecoding() {
        stopped.withLock { $0 = true }
        creditSink.finish()
    }

    /// Whether the decoder stopped.
    var decoderStopped: Bool {
        stopped.withLock { $0 }
    }
}
