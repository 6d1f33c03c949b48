import Foundation
import RESP
import RedisLock

/// Fencing doing its job, in the open: a holder takes a lock with a short TTL and stalls past
/// it (as a long GC pause or a SIGSTOP would make it), a successor takes the expired lock and
/// writes with a higher fence, then the stalled holder wakes and writes with its old fence,
/// which the resource rejects. The first round starts at once, so the rejection shows within
/// seconds; then one round every 15 s.
struct StallingHolder: Sendable {
    let simulator: DemoSimulator

    /// The lock it stalls on (no other worker uses it, so the successor takes it at expiry).
    static let name = "ledger:append"
    /// The stalled holder's TTL, in milliseconds.
    static let ttlMilliseconds = 1500
    /// The pause, in milliseconds: longer than the TTL.
    static let pauseMilliseconds = 2500

    /// Runs rounds until the Task is cancelled.
    func run() async {
        let logger = DashboardLauncher.silentLogger
        let stalledClient = RedisClient(configuration: simulator.configuration, logger: logger)
        let successorClient = RedisClient(configuration: simulator.configuration, logger: logger)
        if let stalled = try? Locker(client: stalledClient, configuration: LockConfiguration(owner: "stalled-worker@demo"), logger: logger),
           let successor = try? Locker(client: successorClient, configuration: LockConfiguration(owner: "successor@demo"), logger: logger) {
            while !Task.isCancelled {
                await round(stalled: stalled, successor: successor)
                try? await Task.sleep(for: .seconds(15))
            }
        }
        await stalledClient.shutdown()
        await successorClient.shutdown()
    }

    /// One stall: lock, pause past the TTL while the successor writes, write late.
    private func round(stalled: Locker, successor: Locker) async {
        let resource = simulator.resource
        let name = Self.name
        guard let lease = try? await stalled.lock(name, ttl: .milliseconds(Self.ttlMilliseconds), wait: .seconds(10)) else { return }
        guard await resource.write(name, fence: lease.fence) else { return }
        let successorWork = Task {
            _ = try? await successor.withLock(name, ttl: .seconds(5), wait: .seconds(10)) { lease in
                await resource.write(name, fence: lease.fence)
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        // The pause, past the TTL; it lasts until the successor has written (bounded), as the
        // point is what happens to a write that comes after a newer holder's.
        try? await Task.sleep(for: .milliseconds(Self.pauseMilliseconds))
        let deadline = ContinuousClock.now + .seconds(8)
        while await resource.highestFence(for: name) <= lease.fence, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let newer = await resource.highestFence(for: name)
        if !Task.isCancelled, !(await resource.write(name, fence: lease.fence)) {
            let event = LockEvent(
                kind: .staleWriteRejected, keyBytes: Array(lease.keys.lock.utf8), owner: "stalled-worker@demo",
                atMilliseconds: Int64(Date().timeIntervalSince1970 * 1000), source: .scan,
                detail: "  fence \(lease.fence) < \(newer) (paused \(Double(Self.pauseMilliseconds) / 1000)s past its \(Double(Self.ttlMilliseconds) / 1000)s TTL)")
            simulator.report(
                "stale write rejected: stalled-worker@demo paused \(Double(Self.pauseMilliseconds) / 1000)s (TTL \(Double(Self.ttlMilliseconds) / 1000)s), lost \(name), "
                    + "then wrote with its old fence \(lease.fence); the resource had seen fence \(newer) from successor@demo", event)
        }
        _ = try? await stalled.unlock(lease)
        await successorWork.value
    }
}
