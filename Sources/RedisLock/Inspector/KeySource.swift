import NIOCore
import RESP

/// Where a scan's keys come from, for ``ScanPipeline``: the commands that list the next keys
/// and how to read their replies. One pipeline serves every source, so reads ride along with
/// the listing commands whichever server lists the keys.
///
/// - ``scan(patterns:count:)``: `SCAN cursor MATCH pattern COUNT n` on Redis itself (one
///   server, a cluster primary, a Redlock node, or a proxy's backend given with `--scan-node`),
///   one walk per pattern, one after the other (several `--prefix`es).
/// - ``slotsScan(selection:count:slots:parallel:)``: Codis's `SLOTSSCAN slot cursor COUNT n`
///   over every slot, through the proxy (which refuses `SCAN`). `SLOTSSCAN` has no `MATCH`,
///   so the keys are filtered by the selection here; several slots are walked side by side,
///   so one batch carries up to `parallel` of them.
struct KeySource: Sendable {
    private enum Kind {
        case scan(patterns: [String])
        case slotsScan(selection: LockInspector.Selection)
    }

    /// One slot being walked (its cursor), or the single `SCAN` cursor (slot `nil`).
    private struct Walk {
        var slot: Int?
        var cursor: ByteBuffer
    }

    private let kind: Kind
    private let count: Int
    private let parallel: Int
    /// The cursors in progress; empty once every key was listed.
    private var walks: [Walk]
    /// The slots not started yet.
    private var nextSlots: Range<Int>
    /// Which of the `SCAN` patterns is being walked.
    private var patternIndex = 0
    /// Keys the listing commands returned, before any filter.
    private(set) var listedKeys = 0

    private init(kind: Kind, count: Int, parallel: Int, walks: [Walk], nextSlots: Range<Int>) {
        self.kind = kind
        self.count = count
        self.parallel = parallel
        self.walks = walks
        self.nextSlots = nextSlots
    }

    /// `SCAN … MATCH pattern COUNT count` from cursor 0 until it comes back to 0, for each
    /// pattern in turn.
    static func scan(patterns: [String], count: Int) -> KeySource {
        KeySource(kind: .scan(patterns: patterns.isEmpty ? ["*"] : patterns), count: count, parallel: 1, walks: [Walk(slot: nil, cursor: ByteBuffer(string: "0"))], nextSlots: 0 ..< 0)
    }

    /// `SLOTSSCAN slot cursor COUNT count` for every slot in `slots` (Codis: 0 ..< 1024), up to
    /// `parallel` slots at a time, keeping the keys `selection` matches.
    static func slotsScan(selection: LockInspector.Selection, count: Int, slots: Range<Int> = 0 ..< codisSlotCount, parallel: Int = 32) -> KeySource {
        var source = KeySource(kind: .slotsScan(selection: selection), count: count, parallel: max(parallel, 1), walks: [], nextSlots: slots)
        source.startSlots()
        return source
    }

    /// How many slots Codis has: it routes a key to slot `crc32(hash tag) % 1024`.
    static let codisSlotCount = 1024

    /// Whether every key was listed.
    var isFinished: Bool { walks.isEmpty }

    /// Appends the next listing commands (one per cursor in progress); returns how many.
    func appendListing(to commands: inout RESPCommandBatch) -> Int {
        for walk in walks {
            switch kind {
            case .scan(let patterns):
                commands.append("SCAN", walk.cursor, "MATCH", patterns[patternIndex], "COUNT", count)
            case .slotsScan:
                commands.append("SLOTSSCAN", walk.slot ?? 0, walk.cursor, "COUNT", count)
            }
        }
        return walks.count
    }

    /// Takes the replies to the commands ``appendListing(to:)`` appended last (in order):
    /// keeps the cursors, starts the next slots for finished ones, and returns the selected keys.
    mutating func take(_ replies: ArraySlice<Result<RESPToken, RedisError>>) throws(RedisError) -> [ByteBuffer] {
        guard replies.count == walks.count else {
            throw RedisError(.unexpectedReply, "a pipelined batch did not answer every listing command")
        }
        var keys: [ByteBuffer] = []
        var remaining: [Walk] = []
        for (walk, reply) in zip(walks, replies) {
            let (next, found) = try Self.cursorAndKeys(try reply.get(), command: walk.slot == nil ? "SCAN" : "SLOTSSCAN")
            listedKeys += found.count
            switch kind {
            case .scan: keys += found
            case .slotsScan(let selection): keys += found.filter { selection.matches(Array($0.readableBytesView)) }
            }
            if !next.readableBytesView.elementsEqual("0".utf8) { remaining.append(Walk(slot: walk.slot, cursor: next)) }
        }
        walks = remaining
        if walks.isEmpty, case .scan(let patterns) = kind, patternIndex + 1 < patterns.count {
            patternIndex += 1
            walks = [Walk(slot: nil, cursor: ByteBuffer(string: "0"))]
        }
        startSlots()
        return keys
    }

    /// Starts walking slots from cursor 0 until `parallel` are in progress or none is left.
    private mutating func startSlots() {
        while walks.count < parallel, let slot = nextSlots.first {
            walks.append(Walk(slot: slot, cursor: ByteBuffer(string: "0")))
            nextSlots = nextSlots.dropFirst()
        }
    }

    /// A `[cursor, [keys]]` reply.
    private static func cursorAndKeys(_ reply: RESPToken, command: String) throws(RedisError) -> (ByteBuffer, [ByteBuffer]) {
        guard case .array(let parts) = reply.value, parts.count == 2 else { throw reply.unexpected("a \(command) reply") }
        var iterator = parts.makeIterator()
        let next = try ByteBuffer(fromRESP: iterator.next()!)
        let keys = try [ByteBuffer](fromRESP: iterator.next()!)
        return (next, keys)
    }
}
