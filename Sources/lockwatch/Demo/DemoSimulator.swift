import Foundation
import RESP
import RedisLock

/// Contention worth looking at, built on `RedisLock`: hot locks with waiters, slow holders
/// near their TTL (some overrun and get their stale writes rejected by the fence), a worker
/// that "crashes" so its lock expires by itself, a holder that stalls past its TTL and then
/// writes with its old fence (rejected), and locks in other libraries' formats.
struct DemoSimulator: Sendable {
    let client: RedisClient
    let configuration: RedisConfiguration
    let locker: Locker
    let workers: Int
    let lockNames: [String]
    let resource = FencedResource()
    /// Told each stale write the resource rejects: as one line (for `--no-tui`) and as an
    /// event (for the dashboard's event strip).
    let report: @Sendable (_ line: String, _ event: LockEvent) -> Void

    static let allNames = ["orders:42", "inventory:7", "payments:settle", "reports:daily", "cache:rebuild",
                           "search:reindex", "billing:close", "email:digest"]

    /// Makes a simulator on the server `configuration` points at; `client` serves the foreign
    /// locks, and every worker opens a connection of its own, as separate machines would, so
    /// the dashboard's WAITERS column counts waiting workers.
    init(configuration: RedisConfiguration, client: RedisClient, workers: Int, locks: Int, report: @escaping @Sendable (_ line: String, _ event: LockEvent) -> Void) throws {
        self.configuration = configuration
        self.report = report
        self.client = client
        self.locker = try Locker(client: client, configuration: LockConfiguration(owner: "demo"), logger: DashboardLauncher.silentLogger)
        self.workers = workers
        self.lockNames = Array(Self.allNames.prefix(max(2, min(locks, Self.allNames.count))))
    }

    /// Runs every worker until the Task is cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await ForeignLocks(client: client).keepAlive() }
            group.addTask { await StallingHolder(simulator: self).run() }
            for index in 0 ..< workers {
                group.addTask { await worker(index) }
            }
        }
    }

    private func worker(_ index: Int) async {
        let role = index % 6
        let client = RedisClient(configuration: configuration, logger: DashboardLauncher.silentLogger)
        let locker = (try? Locker(client: client, configuration: LockConfiguration(owner: "worker-\(index)@demo"), logger: DashboardLauncher.silentLogger)) ?? self.locker
        while !Task.isCancelled {
            switch role {
            case 0, 1, 2:
                await hotWorker(locker, name: lockNames[index % 2])
            case 3:
                await slowWorker(locker, name: lockNames[2 % lockNames.count])
            case 4:
                await crashingWorker(locker, name: lockNames[3 % lockNames.count])
            default:
                await batchWorker(locker, name: lockNames[(4 + index / 6) % lockNames.count])
            }
        }
        await client.shutdown()
    }

    /// Short critical sections on a hot lock: several waiters at any time.
    private func hotWorker(_ locker: Locker, name: String) async {
        _ = try? await locker.withLock(name, ttl: .seconds(2), wait: .seconds(10)) { lease in
            try await Task.sleep(for: .milliseconds(Int.random(in: 80 ... 350)))
            await resource.write(name, fence: lease.fence)
        }
        try? await Task.sleep(for: .milliseconds(Int.random(in: 0 ... 100)))
    }

    /// Holds close to its TTL without renewing; one time in four it overruns and another worker
    /// takes over with a higher fence (its late write is rejected only when the successor has
    /// written first: ``StallingHolder`` shows that case every time).
    private func slowWorker(_ locker: Locker, name: String) async {
        guard let lease = try? await locker.lock(name, ttl: .seconds(3), wait: .seconds(15)) else { return }
        let overrun = Int.random(in: 0 ..< 4) == 0
        try? await Task.sleep(for: .milliseconds(overrun ? 3400 : Int.random(in: 2200 ... 2800)))
        await resource.write(name, fence: lease.fence)
        _ = try? await locker.unlock(lease)
        try? await Task.sleep(for: .milliseconds(Int.random(in: 100 ... 500)))
    }

    /// Takes a lock and "crashes": never renews or releases, so the lock expires by itself.
    private func crashingWorker(_ locker: Locker, name: String) async {
        _ = try? await locker.lock(name, ttl: .seconds(4), wait: .seconds(10))
        try? await Task.sleep(for: .seconds(7))
    }

    /// A longer job with renewal.
    private func batchWorker(_ locker: Locker, name: String) async {
        _ = try? await locker.withLock(name, ttl: .seconds(3), wait: .seconds(20)) { lease in
            try await Task.sleep(for: .milliseconds(Int.random(in: 600 ... 1500)))
            await resource.write(name, fence: lease.fence)
        }
        try? await Task.sleep(for: .milliseconds(Int.random(in: 200 ... 900)))
    }

    /// One line about the fenced resource, for `--no-tui`.
    func summary() async -> String {
        "fenced writes accepted \(await resource.acceptedWrites), stale writes rejected \(await resource.rejectedWrites)"
    }
}
