import Foundation

/// A real Codis 3.2 for tests: `groups` codis-servers (one per group, each a ``RedisServer``
/// running Codis's Redis 3.2.11), a codis-dashboard with a filesystem coordinator in a private
/// directory, one codis-proxy, and the 1024 slots split evenly between the groups, all on free
/// loopback ports. Ported from `codis.sh start`; the binaries come from ``CodisSource``.
///
/// Prefer ``withCodisCluster(groups:isolation:_:)``, which always stops every process.
public final class CodisCluster: Sendable {
    /// The codis-servers, group 1 first; group `g` serves ``slots(ofGroup:)``.
    public let servers: [RedisServer]
    /// The port clients connect to.
    public let proxyPort: Int
    /// The dashboard's admin port (for `codis-admin --dashboard=127.0.0.1:PORT`).
    public let dashboardPort: Int
    /// The proxy's admin port (for `codis-admin --proxy=127.0.0.1:PORT`).
    public let proxyAdminPort: Int
    /// The private directory: coordinator data, configurations and logs.
    public let directory: String
    let binaries: CodisSource.Binaries
    private let proxy: ProxyProcess
    private let dashboard: ProxyProcess

    /// `redis://127.0.0.1:PROXY`: the proxy.
    public var url: String { "redis://127.0.0.1:\(proxyPort)" }

    init(
        servers: [RedisServer], proxyPort: Int, dashboardPort: Int, proxyAdminPort: Int, directory: String,
        binaries: CodisSource.Binaries, proxy: ProxyProcess, dashboard: ProxyProcess
    ) {
        self.servers = servers
        self.proxyPort = proxyPort
        self.dashboardPort = dashboardPort
        self.proxyAdminPort = proxyAdminPort
        self.directory = directory
        self.binaries = binaries
        self.proxy = proxy
        self.dashboard = dashboard
    }

    /// The slots group `group` (1-based) serves.
    public func slots(ofGroup group: Int) -> ClosedRange<Int> {
        Self.slots(ofGroup: group, groups: servers.count)
    }

    static func slots(ofGroup group: Int, groups: Int) -> ClosedRange<Int> {
        let share = CodisSlots.count / groups
        let first = (group - 1) * share
        return first ... (group == groups ? CodisSlots.count - 1 : first + share - 1)
    }

    /// The codis-server that stores `key`.
    public func server(for key: String) -> RedisServer {
        let slot = CodisSlots.slot(of: key)
        let group = (1 ... servers.count).first { slots(ofGroup: $0).contains(slot) } ?? servers.count
        return servers[group - 1]
    }

    /// The first of `prefix0`, `prefix1`, … that Codis routes to group `group`.
    public func key(inGroup group: Int, prefix: String) -> String {
        let wanted = slots(ofGroup: group)
        var index = 0
        while !wanted.contains(CodisSlots.slot(of: "\(prefix)\(index)")) { index += 1 }
        return "\(prefix)\(index)"
    }

    /// Runs `codis-admin --dashboard=… arguments` and returns its output; throws when it fails.
    @discardableResult
    public func admin(_ arguments: [String]) throws -> String {
        try Self.admin(binaries, dashboardPort: dashboardPort, arguments)
    }

    @discardableResult
    static func admin(_ binaries: CodisSource.Binaries, dashboardPort: Int, _ arguments: [String]) throws(RedisServerError) -> String {
        let result = try ProcessRunner.run(binaries.admin, ["--dashboard=127.0.0.1:\(dashboardPort)"] + arguments, timeout: .seconds(20))
        guard result.status == 0, !result.timedOut else {
            throw RedisServerError("codis-admin \(arguments.joined(separator: " ")) failed (exit \(result.status)): \(result.combinedOutput)")
        }
        return result.standardOutput
    }

    /// How many `opstr` commands (e.g. `SET`, `EVAL`) the proxy has answered, from its stats
    /// (`codis-admin --proxy=… stats`), or 0 before the first. The proxy publishes its counters
    /// about once a second: poll for a change.
    public func proxyCalls(_ opstr: String) throws -> Int {
        let result = try ProcessRunner.run(binaries.admin, ["--proxy=127.0.0.1:\(proxyAdminPort)", "stats"], timeout: .seconds(20))
        guard result.status == 0,
              let stats = try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
              let ops = stats["ops"] as? [String: Any]
        else { throw RedisServerError("codis-admin --proxy stats failed (exit \(result.status)): \(result.combinedOutput.prefix(300))") }
        let commands = ops["cmd"] as? [[String: Any]] ?? []
        let command = commands.first { $0["opstr"] as? String == opstr }
        return (command?["calls"] as? NSNumber)?.intValue ?? 0
    }

    /// Stops the proxy, the dashboard and every codis-server, and deletes the directory.
    public func stop() async {
        await proxy.stop()
        await dashboard.stop()
        for server in servers { await server.stop() }
        TemporaryDirectory.remove(directory)
    }

    /// The proxy's and the dashboard's log tails, for failure messages.
    public var logTails: String {
        "--- codis-proxy ---\n\(proxy.logFile.tail(from: 0))\n--- codis-dashboard ---\n\(dashboard.logFile.tail(from: 0))"
    }
}
