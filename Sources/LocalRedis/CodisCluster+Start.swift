import Foundation

extension CodisCluster {
    /// How many fresh ports a codis-server launch tries when the chosen one is taken meanwhile.
    private static let portAttempts = 5

    /// Builds Codis if needed (see ``CodisSource``), starts the cluster and waits until the
    /// proxy maps all 1024 slots to the groups' servers.
    ///
    /// The slots are assigned directly (`--slots-assign`: the servers are empty, nothing to
    /// migrate). The proxy's connections to the servers open lazily, and until they are up it
    /// answers `ERR handle response, backend conn failure`: a key is written through it to
    /// every group before the cluster counts as started.
    /// - Throws: ``RedisServerError`` when the sources are missing, the build fails, or a
    ///   process does not start (the message includes its log tail).
    public static func start(groups: Int = 2) async throws -> CodisCluster {
        guard (1 ... CodisSlots.count).contains(groups) else {
            throw RedisServerError("a Codis cluster needs 1-\(CodisSlots.count) groups, not \(groups)")
        }
        let binaries = try await CodisSource.binaries()
        let directory = try TemporaryDirectory.make(prefix: "codis-test-")
        var servers: [RedisServer] = []
        var processes: [ProxyProcess] = []
        do {
            for _ in 0 ..< groups { servers.append(try await startServer(binaries.server)) }
            let dashboardPort = try FreePort.find()
            let proxyPort = try FreePort.find()
            let proxyAdminPort = try FreePort.find()

            try writeConfiguration(of: binaries.dashboard, to: "\(directory)/dashboard.toml", replacing: [
                "coordinator_addr": "\(directory)/fs",
                "admin_addr": "127.0.0.1:\(dashboardPort)",
            ])
            let dashboard = try ProxyProcess.launch(
                "codis-dashboard", executable: binaries.dashboard,
                arguments: ["--config=\(directory)/dashboard.toml", "--log=\(directory)/dashboard.log", "--log-level=WARN"],
                directory: directory)
            processes.append(dashboard)
            try await ProxyTools.poll("codis-dashboard answers on port \(dashboardPort)", limit: .seconds(20)) {
                guard dashboard.isRunning else { throw dashboard.exited() }
                return (try? admin(binaries, dashboardPort: dashboardPort, ["--list-group"])) != nil
            }

            try writeConfiguration(of: binaries.proxy, to: "\(directory)/proxy.toml", replacing: [
                "admin_addr": "127.0.0.1:\(proxyAdminPort)",
                "proxy_addr": "127.0.0.1:\(proxyPort)",
                "proxy_heap_placeholder": "0",
            ])
            let proxy = try ProxyProcess.launch(
                "codis-proxy", executable: binaries.proxy,
                arguments: [
                    "--config=\(directory)/proxy.toml", "--dashboard=127.0.0.1:\(dashboardPort)",
                    "--log=\(directory)/proxy.log", "--log-level=WARN", "--ncpu=1",
                ],
                directory: directory)
            processes.append(proxy)

            for (index, server) in servers.enumerated() {
                let group = index + 1
                let range = slots(ofGroup: group, groups: groups)
                for arguments in [
                    ["--create-group", "--gid=\(group)"],
                    ["--group-add", "--gid=\(group)", "--addr=127.0.0.1:\(server.port)"],
                    ["--sync-action", "--create", "--addr=127.0.0.1:\(server.port)"],
                    ["--slots-assign", "--beg=\(range.lowerBound)", "--end=\(range.upperBound)", "--gid=\(group)", "--confirm"],
                ] {
                    try admin(binaries, dashboardPort: dashboardPort, arguments)
                }
            }
            let cluster = CodisCluster(
                servers: servers, proxyPort: proxyPort, dashboardPort: dashboardPort, proxyAdminPort: proxyAdminPort, directory: directory,
                binaries: binaries, proxy: proxy, dashboard: dashboard)
            try await cluster.waitUntilMapped(proxy: proxy)
            return cluster
        } catch {
            for process in processes.reversed() { await process.stop() }
            for server in servers { await server.stop() }
            TemporaryDirectory.remove(directory)
            throw error
        }
    }

    /// Polls until the dashboard has synced every server, the proxy's `SLOTSMAPPING` names
    /// each slot's server, and the proxy writes to every group.
    private func waitUntilMapped(proxy: ProxyProcess) async throws {
        let addresses = Set(servers.map { "127.0.0.1:\($0.port)" })
        let cli = try ProxyTools.locate("redis-cli", aptPackages: "redis-tools")
        var last = ""
        do {
            // A sync action ends with `CLIENT KILL TYPE normal` on the server: every client
            // connected before, the proxy's included, is cut off then.
            try await ProxyTools.poll("codis-dashboard syncs every server", limit: .seconds(30)) {
                last = try admin(["--list-group"])
                return try Self.syncActionsDone(last)
            }
            try await ProxyTools.poll("codis-proxy on port \(proxyPort) maps all \(CodisSlots.count) slots", limit: .seconds(30)) {
                guard proxy.isRunning else { throw proxy.exited() }
                let result = try ProcessRunner.run(cli, ["-p", String(proxyPort), "SLOTSMAPPING"])
                last = String(result.combinedOutput.prefix(200))
                return result.standardOutput.split(separator: "\n").count(where: { addresses.contains(String($0)) }) == CodisSlots.count
            }
            // The proxy opens its connection to a group's server on first use and answers
            // `backend conn failure` until it is up: write once to every group.
            for group in 1 ... servers.count {
                let key = key(inGroup: group, prefix: "codis-ready:")
                try await ProxyTools.poll("codis-proxy on port \(proxyPort) writes to group \(group)", limit: .seconds(30)) {
                    let result = try ProcessRunner.run(cli, ["-p", String(proxyPort), "SET", key, "1"])
                    last = String(result.combinedOutput.prefix(200))
                    return result.standardOutput.hasPrefix("OK")
                }
                _ = try ProcessRunner.run(cli, ["-p", String(proxyPort), "DEL", key])
            }
        } catch let error as RedisServerError {
            throw RedisServerError("\(error.message); last answer: \(last)\n\(logTails)")
        }
    }

    /// Whether no server in `codis-admin --list-group`'s JSON has a pending or running sync
    /// action (a finished one reads `synced`, or `synced_failed` when `CONFIG REWRITE` failed).
    static func syncActionsDone(_ json: String) throws -> Bool {
        guard let groups = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] else {
            throw RedisServerError("codis-admin --list-group did not print a JSON list: \(json.prefix(200))")
        }
        return groups.allSatisfy { group in
            (group["servers"] as? [[String: Any]] ?? []).allSatisfy { server in
                let state = (server["action"] as? [String: Any])?["state"] as? String ?? ""
                return state.isEmpty || state.hasPrefix("synced")
            }
        }
    }

    /// Starts one codis-server: a ``RedisServer`` running Codis's build of Redis 3.2.11.
    private static func startServer(_ executable: String) async throws -> RedisServer {
        let directory = try TemporaryDirectory.make()
        let launcher = ServerLauncher(
            layout: ServerLayout(executable: executable, directory: directory), options: RedisServer.Options(), certificates: nil)
        do {
            var lastLog = ""
            for _ in 1 ... portAttempts {
                let port = try FreePort.find()
                switch try await launcher.launch(port: port) {
                case .ready(let process):
                    return RedisServer(launcher: launcher, port: port, process: process)
                case .portInUse(let logTail):
                    lastLog = logTail
                }
            }
            throw RedisServerError.startupFailed("(codis-server) could not bind a free port in \(portAttempts) attempts", logTail: lastLog)
        } catch {
            TemporaryDirectory.remove(directory)
            throw error
        }
    }

    /// Writes `executable --default-config` to `path` with the `key = value` lines of
    /// `replacements` changed (values are written as TOML strings).
    private static func writeConfiguration(of executable: String, to path: String, replacing replacements: [String: String]) throws {
        let defaults = try ProcessRunner.run(executable, ["--default-config"])
        guard defaults.status == 0 else {
            throw RedisServerError("\(executable) --default-config failed: \(defaults.combinedOutput)")
        }
        var missing = Set(replacements.keys)
        let lines = defaults.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let key = line.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let value = replacements[key] else { return String(line) }
            missing.remove(key)
            return "\(key) = \"\(value)\""
        }
        guard missing.isEmpty else {
            throw RedisServerError("\(executable) --default-config has no \(missing.sorted().joined(separator: ", ")) line")
        }
        do {
            try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw RedisServerError("could not write \(path): \(error)")
        }
    }
}
