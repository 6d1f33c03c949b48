import NIOCore
import RESP

/// The refresh's software pipeline: each batch sent carries the next listing commands (a
/// ``KeySource``: `SCAN`, or Codis's `SLOTSSCAN` over the slots) while the listing lasts, and
/// the reads of every full batch of keys found so far (all keys once the listing is over). The
/// next batch goes out as soon as a reply arrives, before that reply's values are decoded, so
/// the server lists while this process decodes. At most one batch is in flight and at most one
/// listing's keys plus one read batch wait: memory stays bounded by the COUNT and the batch
/// size, not the keyspace.
///
/// A batch's listing and reads are separate, so they can go to different servers: a
/// twemproxy's backend lists (`--scan-node`) while the reads go through the proxy.
struct ScanPipeline {
    /// One write: the listing commands, then the reads of some keys.
    struct Batch {
        /// The listing commands (`SCAN` or `SLOTSSCAN`), possibly none.
        var listing: RESPCommandBatch
        /// The read commands, possibly none.
        var reads: RESPCommandBatch
        /// The keys read, in chunks of at most the batch size, with the replies (indices into
        /// the replies to ``reads``) of each chunk's read commands.
        var chunks: [Chunk]
    }

    /// Keys read together: their values with the PTTLs and EXISTSs.
    struct Chunk {
        var keys: [ByteBuffer]
        var replies: Range<Int>
    }

    let batchSize: Int
    /// Appends the commands that read a chunk of keys.
    let appendReads: (inout RESPCommandBatch, [ByteBuffer]) -> Void
    /// Where the keys come from; where the walk stands when the listing stopped early.
    private(set) var source: KeySource
    private var pendingKeys: [ByteBuffer] = []
    /// Keys listed but not worth reading (they are dropped before the reads).
    var skipping: (@Sendable (ByteBuffer) -> Bool)?
    /// The listing stops once the source has listed this many keys in all (an incremental
    /// sweep's slice); the keys listed so far are still read.
    var listingLimit = Int.max

    /// Whether no more listing commands go out.
    private var listingOver: Bool { source.isFinished || source.listedKeys >= listingLimit }

    /// Keys the listing commands returned so far (before a client-side filter).
    var scannedKeys: Int { source.listedKeys }

    init(source: KeySource, batchSize: Int, reads appendReads: @escaping (inout RESPCommandBatch, [ByteBuffer]) -> Void) {
        self.source = source
        self.batchSize = batchSize
        self.appendReads = appendReads
    }

    /// The first batch: the first listing commands.
    mutating func first() -> Batch {
        next() ?? Batch(listing: RESPCommandBatch(), reads: RESPCommandBatch(), chunks: [])
    }

    /// Takes a batch's replies (to its listing, then to its reads): the listing's keys join
    /// the pending ones; returns the chunks whose read replies are in `readReplies`.
    mutating func take(
        listing listingReplies: [Result<RESPToken, RedisError>], reads readReplies: [Result<RESPToken, RedisError>], of batch: Batch
    ) throws(RedisError) -> [Chunk] {
        guard listingReplies.count == batch.listing.count, readReplies.count == batch.reads.count else {
            throw RedisError(.unexpectedReply, "a pipelined batch did not answer every command")
        }
        if !batch.listing.isEmpty {
            let keys = try source.take(listingReplies[...])
            pendingKeys += skipping.map { skip in keys.filter { !skip($0) } } ?? keys
        }
        return batch.chunks
    }

    /// The next batch to send, or `nil` when the listing is over and every key was read.
    mutating func next() -> Batch? {
        var listing = RESPCommandBatch(capacity: 1024)
        let listingOver = listingOver
        if !listingOver { _ = source.appendListing(to: &listing) }
        var reads = RESPCommandBatch(capacity: 4096)
        var chunks: [Chunk] = []
        while pendingKeys.count >= batchSize || (listingOver && !pendingKeys.isEmpty) {
            let size = min(batchSize, pendingKeys.count)
            let keys = Array(pendingKeys.prefix(size))
            pendingKeys.removeFirst(size)
            let first = reads.count
            appendReads(&reads, keys)
            chunks.append(Chunk(keys: keys, replies: first ..< reads.count))
        }
        return listing.isEmpty && reads.isEmpty ? nil : Batch(listing: listing, reads: reads, chunks: chunks)
    }
}
