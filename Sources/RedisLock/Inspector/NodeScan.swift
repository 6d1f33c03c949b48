import Foundation
import NIOCore
import RESP

/// What one scan of one server found, before the inspector folds it into its history.
struct NodeScan: Sendable {
    var locks: [InspectedLock] = []
    /// Fence counters by their lock key's ``ByteKey/digest``.
    var fenceValues: [Int: Int64] = [:]
    /// The server's clock when the scan began (Unix ms).
    var serverTime: Int64 = 0
    var scannedKeys = 0
    var commands = 0
    var roundTrips = 0
    /// What the scan had to do without (optional commands the server refused).
    var notes: [String] = []
    /// Whether the server refused `MGET`, so values were read with a `GET` each.
    var getsEachKey = false
    /// Whether ``serverTime`` is this machine's clock (a proxy, which has no `TIME`, or a
    /// refused `TIME`): ages are local.
    var clockIsLocal = false
    /// Whether waiters could not be counted (a proxy, which has no usable `PUBSUB`, or a
    /// refused one): a lock of this library shows its waiters as unknown, not 0.
    var waitersUnknown = false
    /// The proxy the reads went through, `.none` for Redis itself.
    var proxy = RedisProxyKind.none

    mutating func add(commands count: Int) {
        commands += count
        roundTrips += 1
    }
}
