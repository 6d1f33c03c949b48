import NIOCore
import RESP

/// The refresh's software pipeline: each batch sent carries the next `SCAN` (while the scan
/// lasts) and the reads of every full batch of keys found so far (all keys once the scan is
/// over). The next batch goes out as soon as a reply arrives, before that reply's values are
/// decoded, so the server scans while this process decodes. At most one batch is in flight and
/// at most one SCAN's keys plus one read batch wait: memory stays bounded by the COUNT and the
/// batch size, not the keyspace.
struct ScanPipeline {
    /// One write: an optional SCAN, then the reads of some keys.
    struct Batch {
        var commands: RESPCommandBatch
        /// Whether `commands[0]` is a SCAN.
        var scans: Bool
        /// The keys read, in chunks of at most the batch size, with the replies (indices into
        /// the batch's replies) of each chunk's read commands.
        var reads: [Chunk]
    }

    /// Keys read together: their values with the PTTLs and EXISTSs.
    struct Chunk {
        var keys: [ByteBuffer]
        var replies: Range<Int>
    }

    /// The SCAN MATCH patterns, scanned one after the other (see ``LockInspector/Selection/prefixes(_:)``).
    let patterns: [String]
    let count: Int
    let batchSize: Int
    /// Appends the commands that read a chunk of keys.
    let appendReads: (inout RESPCommandBatch, [ByteBuffer]) -> Void
    /// Keys the SCANs returned so far.
    private(set) var scannedKeys = 0
    private var cursor: ByteBuffer?  // nil once the scan is over
    /// The pattern the current SCAN walks.
    private var patternIndex = 0
    private var pendingKeys: [ByteBuffer] = []

    init(patterns: [String], count: Int, batchSize: Int, reads appendReads: @escaping (inout RESPCommandBatch, [ByteBuffer]) -> Void) {
        self.patterns = patterns.isEmpty ? ["*"] : patterns
        self.count = count
        self.batchSize = batchSize
        self.appendReads = appendReads
        self.cursor = ByteBuffer(string: "0")
    }

    /// The first batch: the first SCAN.
    mutating func first() -> Batch {
        next()!
    }

    /// Takes a batch's replies: the SCAN's keys join the pending ones (and its cursor is kept);
    /// returns the chunks whose read replies are in `replies`.
    mutating func take(_ replies: [Result<RESPToken, RedisError>], of batch: Batch) throws(RedisError) -> [Chunk] {
        guard replies.count == batch.commands.count else {
            throw RedisError(.unexpectedReply, "a pipelined batch did not answer every command")
        }
        if batch.scans {
            let reply = try replies[0].get()
            guard case .array(let parts) = reply.value, parts.count == 2 else { throw reply.unexpected("a SCAN reply") }
            var iterator = parts.makeIterator()
            let next = try ByteBuffer(fromRESP: iterator.next()!)
            let keys = try [ByteBuffer](fromRESP: iterator.next()!)
            scannedKeys += keys.count
            pendingKeys.append(contentsOf: keys)
            cursor = next.readableBytesView.elementsEqual("0".utf8) ? nil : next
            if cursor == nil, patternIndex + 1 < patterns.count {
                patternIndex += 1
                cursor = ByteBuffer(string: "0")
            }
        }
        return batch.reads
    }

    /// The next batch to send, or `nil` when the scan is over and every key was read.
    mutating func next() -> Batch? {
        var commands = RESPCommandBatch(capacity: 4096)
        var scans = false
        if let cursor {
            commands.append("SCAN", cursor, "MATCH", patterns[patternIndex], "COUNT", count)
            scans = true
        }
        var reads: [Chunk] = []
        let scanning = cursor != nil
        while pendingKeys.count >= batchSize || (!scanning && !pendingKeys.isEmpty) {
            let size = min(batchSize, pendingKeys.count)
            let keys = Array(pendingKeys.prefix(size))
            pendingKeys.removeFirst(size)
            let first = commands.count
            appendReads(&commands, keys)
            reads.append(Chunk(keys: keys, replies: first ..< commands.count))
        }
        return commands.isEmpty ? nil : Batch(commands: commands, scans: scans, reads: reads)
    }
}
