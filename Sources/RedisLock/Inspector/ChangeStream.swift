import NIOCore
import RESP
import Synchronization

/// One server's change stream: every write, deletion or expiry of a key under the watched
/// prefixes, as Redis's client-side caching reports it (`CLIENT TRACKING on BCAST`, Redis 6+).
///
/// Two connections of its own: a subscriber that asks for its `CLIENT ID` and subscribes to
/// `__redis__:invalidate`, and a tracking connection that runs
/// `CLIENT TRACKING on REDIRECT <id> BCAST PREFIX <prefix> …`. Tracking is on before
/// ``open(configuration:prefixes:deliver:)`` returns, so a scan started afterwards misses
/// nothing. The server batches the keys changed in one event-loop turn into one message;
/// `FLUSHALL`/`FLUSHDB` arrive as ``Change/flushed``. When either connection ends (a
/// `CLIENT KILL`, a restart, a network failure; a redirect that breaks because the
/// subscriber went away), ``Change/lost(_:)`` is delivered once: changes may have been missed.
final class ChangeStream: Sendable {
    /// What the stream reports.
    enum Change: Sendable {
        /// These keys changed (written, deleted or expired).
        case keys([[UInt8]])
        /// Every key was invalidated at once (`FLUSHALL`, `FLUSHDB`).
        case flushed
        /// The stream ended, and why: changes may have been missed since.
        case lost(String)
    }

    private let subscriber: RedisConnection
    private let tracker: RedisConnection
    /// The subscriber's `CLIENT ID` (what `CLIENT KILL ID` takes).
    let subscriberID: Int
    /// The tracking connection's `CLIENT ID`.
    let trackerID: Int
    private let reader: Task<Void, Never>
    private let gate: Gate

    /// Lets changes through until the stream ends or is closed, and reports the end once.
    private final class Gate: Sendable {
        private let ended = Mutex(false)
        private let deliver: @Sendable (Change) -> Void

        init(_ deliver: @escaping @Sendable (Change) -> Void) {
            self.deliver = deliver
        }

        /// Delivers `change` unless the stream has ended.
        func pass(_ change: Change) {
            guard !ended.withLock({ $0 }) else { return }
            deliver(change)
        }

        /// Ends the stream; reports `reason` unless it had already ended (or was closed: `nil`).
        func end(_ reason: String?) {
            let first = ended.withLock { ended in
                defer { ended = true }
                return !ended
            }
            if first, let reason { deliver(.lost(reason)) }
        }
    }

    private init(subscriber: RedisConnection, tracker: RedisConnection, subscriberID: Int, trackerID: Int, reader: Task<Void, Never>, gate: Gate) {
        self.subscriber = subscriber
        self.tracker = tracker
        self.subscriberID = subscriberID
        self.trackerID = trackerID
        self.reader = reader
        self.gate = gate
    }

    /// Opens the stream for keys starting with any of `prefixes` (an empty prefix: every key)
    /// and hands every change to `deliver`, in the order the server sent them.
    ///
    /// - Throws: a server error when the server cannot track (Redis < 6, a proxy, `CLIENT`
    ///   denied by an ACL); a connection error when it cannot be reached.
    static func open(
        configuration: RedisConfiguration,
        prefixes: [String],
        deliver: @escaping @Sendable (Change) -> Void
    ) async throws(RedisError) -> ChangeStream {
        let subscriber = try await RedisConnection.connect(configuration, subscriber: true)
        let tracker: RedisConnection
        let subscriberID: Int
        let trackerID: Int
        let subscription: RedisSubscription
        do {
            subscriberID = try await subscriber.send("CLIENT", "ID").decode(as: Int.self)
            // Effectively unbounded: the reader below only forwards keys, and a dropped
            // message would be a change silently missed.
            subscription = try await subscriber.subscribe(.channel, to: [RedisPubSubMessage.invalidationChannel], bufferLimit: 1 << 30)
            tracker = try await RedisConnection.connect(configuration)
        } catch {
            await subscriber.close()
            throw error
        }
        do {
            trackerID = try await tracker.send("CLIENT", "ID").decode(as: Int.self)
            let prefixArguments = prefixes.flatMap { ["PREFIX", $0] }
            _ = try await tracker.send(RESPCommand("CLIENT", "TRACKING", "on", "REDIRECT", subscriberID, "BCAST", prefixArguments))
        } catch {
            await tracker.close()
            await subscriber.close()
            throw error
        }
        let gate = Gate(deliver)
        tracker.channel.closeFuture.whenComplete { _ in gate.end("the tracking connection closed") }
        let reader = Task {
            do {
                for try await message in subscription {
                    if message.isNull {
                        gate.pass(.flushed)
                    } else if let items = message.items {
                        gate.pass(.keys(items.map { Array($0.readableBytesView) }))
                    }
                }
                gate.end("the invalidation subscription ended")
            } catch {
                gate.end("the invalidation connection closed: \((error as? RedisError)?.message ?? "\(error)")")
            }
        }
        return ChangeStream(subscriber: subscriber, tracker: tracker, subscriberID: subscriberID, trackerID: trackerID, reader: reader, gate: gate)
    }

    /// Closes both connections; nothing is delivered once it has started.
    func close() async {
        gate.end(nil)
        reader.cancel()
        await tracker.close()
        await subscriber.close()
    }
}
