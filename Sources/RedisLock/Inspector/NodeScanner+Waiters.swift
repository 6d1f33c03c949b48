import Foundation
import NIOCore
import RESP

extension NodeScanner {
    /// A `PUBSUB NUMSUB` (or `SHARDNUMSUB`) on its way, for some rows' wake-up channels.
    struct WaiterCount {
        /// The rows (indices into the scan's locks), in the order of the channels asked about.
        var rows: [Int]
        var replies: PendingReplies
    }

    /// Asks, without waiting, how many subscribers the wake-up channels of this library's locks
    /// among `rows` have; `nil` when there are none. Sent while the scan goes on, the question
    /// queues behind the next batch and its answer is ready when the scan ends.
    /// Through a proxy nothing is asked (Codis sends `PUBSUB` to one backend, twemproxy closes
    /// the connection): the waiters stay unknown (``NodeScan/waitersUnknown``).
    func countWaiters(of rows: Range<Int>, in result: inout NodeScan, on connection: RedisConnection) -> WaiterCount? {
        let own = rows.filter { result.locks[$0].format == .lockwatch }
        guard !own.isEmpty else { return nil }
        if result.proxy != .none {
            result.waitersUnknown = true
            return nil
        }
        let channels = ByteBuffer.slices(own) { names, row in
            names.writeBytes(result.locks[row].keyBytes)
            names.writeString(LockKeys.channelSuffix)
        }
        var command = RESPCommandBatch(capacity: channels.reduce(32) { $0 + $1.readableBytes + 8 })
        command.append("PUBSUB", mode == .clusterNode ? "SHARDNUMSUB" : "NUMSUB", channels)
        return WaiterCount(rows: own, replies: connection.write(batch: command))
    }

    /// Waits for the answers of ``countWaiters(of:in:on:)`` and fills them in. An answer lists
    /// `channel, count` pairs in the order asked (a map under RESP3), so counts are read by
    /// position.
    func fillWaiters(_ counts: [WaiterCount], into result: inout NodeScan) async throws(RedisError) {
        for count in counts {
            let replies = try await count.replies.get()
            result.commands += 1  // rode along with the scan: no round trip of its own
            guard let answer = replies.first else { throw RedisError(.unexpectedReply, "PUBSUB NUMSUB did not answer") }
            if case .failure(let error) = answer, InspectorRefusal.isRefusal(error) {
                let note = InspectorRefusal.note("PUBSUB", "waiters unknown")
                if !result.notes.contains(note) { result.notes.append(note) }
                result.waitersUnknown = true
                continue
            }
            let reply = try answer.get()
            var subscribers: [Int] = []
            subscribers.reserveCapacity(count.rows.count)
            switch reply.value {
            case .array(let items):
                var iterator = items.makeIterator()
                while iterator.next() != nil, let number = iterator.next() { subscribers.append(try number.decode(as: Int.self)) }
            case .map(let pairs):
                for pair in pairs { subscribers.append(try pair.value.decode(as: Int.self)) }
            default:
                throw reply.unexpected("a PUBSUB NUMSUB reply")
            }
            guard subscribers.count == count.rows.count else {
                throw RedisError(.unexpectedReply, "PUBSUB NUMSUB answered \(subscribers.count) channels of \(count.rows.count)")
            }
            for (row, number) in zip(count.rows, subscribers) { result.locks[row].waiters = number }
        }
    }

    /// A key's time to live as `PTTL` reports it.
    struct TimeToLive {
        /// Milliseconds left; `nil` when the key has no TTL.
        var milliseconds: Int64?
    }

    /// `nil` when the key no longer exists (or, on a cluster node, moved away).
    func ttl(from reply: Result<RESPToken, RedisError>) throws(RedisError) -> TimeToLive? {
        if case .failure(let error) = reply, Self.isRedirection(error) { return nil }
        switch try reply.get().decode(as: Int64.self) {
        case -2: return nil
        case -1: return TimeToLive(milliseconds: nil)
        case let milliseconds: return TimeToLive(milliseconds: milliseconds)
        }
    }
}
