@testable import LockWatchUI
import RedisLock

/// A fixed start time so TTL countdowns are exact.
let t0 = ContinuousClock.now
/// The server clock at the fixture scans.
let serverNow: Int64 = 1_700_000_000_000

func lock(
    _ key: String, owner: String? = "worker-1", token: String? = "3f2a9c1d5e6b7a8f9012", ttl: Int64? = 30_000,
    heldFor: Int64? = 4_000, fence: Int64? = 17, waiters: Int? = 0, rate: Double? = 0, format: LockFormat = .lockwatch,
    value: String = "{\"owner\":\"worker-1\"}", type: String = "string", holderChanges: Int = 0
) -> InspectedLock {
    lock(
        bytes: Array(key.utf8), owner: owner, token: token, ttl: ttl, heldFor: heldFor, fence: fence,
        waiters: waiters, rate: rate, format: format, value: value, type: type, holderChanges: holderChanges
    )
}

func lock(
    bytes: [UInt8], owner: String? = "worker-1", token: String? = "3f2a9c1d5e6b7a8f9012", ttl: Int64? = 30_000,
    heldFor: Int64? = 4_000, fence: Int64? = 17, waiters: Int? = 0, rate: Double? = 0, format: LockFormat = .lockwatch,
    value: String = "{\"owner\":\"worker-1\"}", type: String = "string", holderChanges: Int = 0
) -> InspectedLock {
    InspectedLock(
        keyBytes: bytes, format: format, type: type, owner: owner, token: token, value: Array(value.utf8),
        ttlMilliseconds: ttl, acquiredAtMilliseconds: heldFor.map { serverNow - $0 }, fence: fence,
        waiters: waiters, acquisitionsPerSecond: rate, holderChanges: holderChanges
    )
}

func snapshot(_ locks: [InspectedLock], events: [LockEvent] = [], server: Int64 = serverNow) -> InspectionSnapshot {
    InspectionSnapshot(
        locks: locks, events: events, serverTimeMilliseconds: server, scannedKeys: locks.count * 2,
        commandCount: 12, roundTrips: 3, duration: .milliseconds(35)
    )
}

/// A dashboard at 120×40 showing `locks`.
func dashboard(_ locks: [InspectedLock], readOnly: Bool = false, width: Int = 120, height: Int = 40) -> DashboardState {
    var state = DashboardState(endpoint: "redis://10.0.0.5:6379/0", user: "ops", readOnly: readOnly, now: t0)
    state.resize(width: width, height: height)
    state.apply(snapshot: snapshot(locks), at: t0)
    return state
}

/// The keys of the rows in display order.
func shownKeys(_ state: DashboardState) -> [String] {
    (0..<state.visibleCount).compactMap { state.lock(at: $0)?.key }
}

extension DashboardState {
    /// Presses each key in turn and returns every command.
    mutating func press(_ keys: KeyPress...) -> [DashboardCommand] {
        keys.flatMap { handle($0) }
    }

    /// Types `text` one character at a time.
    mutating func type(_ text: String) {
        for character in text { _ = handle(.character(character)) }
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
}
