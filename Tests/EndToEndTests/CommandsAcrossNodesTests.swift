import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `lockwatch list`, `release`, `hold` and the dashboard, the real binary, on a real cluster
/// and on a Redlock set of three independent servers.
@Suite("lockwatch across nodes", .serialized)
struct CommandsAcrossNodesTests {
    static func json(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test func listReleaseAndHoldOnACluster() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withRedisCluster { cluster in
            let (locker, client) = try clusterLocker(cluster, owner: "cluster-cli")
            for index in 0 ..< 9 { _ = try #require(try await locker.tryLock("job:\(index)", ttl: .seconds(60)).lease) }
            let expected = Set((0 ..< 9).map { "lock:{job:\($0)}" })

            // The seed list, and one node's own URL (it says it is in a cluster): both see all.
            for url in [cluster.url, cluster.masters[1].url] {
                let listed = try await runLockwatch(["list", "--url", url, "--json"], in: scratch.path)
                #expect(listed.status == 0, "stderr: \(listed.stderr)")
                let objects = try Self.json(listed.stdout)
                #expect(Set(objects.compactMap { $0["key"] as? String }) == expected, "via \(url)")
                #expect(Set(objects.compactMap { $0["node"] as? String }).count == 3, "every lock should name its primary")
            }

            let released = try await runLockwatch(
                ["release", "lock:{job:4}", "--url", cluster.url, "--yes", "--audit-log", scratch.path + "/audit.log"], in: scratch.path)
            #expect(released.status == 0, "stderr: \(released.stderr)")
            #expect(try await client.send(routedBy: "lock:{job:4}", "EXISTS", "lock:{job:4}").decode(as: Int.self) == 0)

            let held = try await runLockwatch(
                ["hold", "job:4", "--url", cluster.url, "--", "sh", "-c", "printf %s \"$LOCK_FENCE\""], in: scratch.path)
            #expect(held.status == 0, "stderr: \(held.stderr)")
            #expect(held.stdout == "2", "the second acquisition of job:4 must get fence 2")
            #expect(try await client.send(routedBy: "lock:{job:4}", "EXISTS", "lock:{job:4}").decode(as: Int.self) == 0, "hold did not release")
            await client.shutdown()
        }
    }

    @Test func listReleaseAndHoldOnARedlockSet() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await withRedlockNodes(3) { nodes in
            let urls = nodes.servers.flatMap { ["--url", $0.url] }
            let redlock = try nodes.redlock(owner: "rl-cli")
            _ = try #require(try await redlock.tryLock("orders:9", ttl: .seconds(60)).lease)

            let listed = try await runLockwatch(["list", "--json"] + urls, in: scratch.path)
            #expect(listed.status == 0, "stderr: \(listed.stderr)")
            let row = try #require(try Self.json(listed.stdout).first { $0["key"] as? String == "lock:{orders:9}" })
            #expect(row["nodes_held"] as? Int == 3)
            #expect(row["nodes_total"] as? Int == 3)
            #expect(row["quorum"] as? Bool == true)
            #expect(row["holders_agree"] as? Bool == true)
            #expect(row["owner"] as? String == "rl-cli")

            let table = try await runLockwatch(["list"] + urls, in: scratch.path)
            #expect(table.stdout.contains("NODES"))
            #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("lock:{orders:9}") && $0.hasSuffix("3/3") })

            let released = try await runLockwatch(
                ["release", "lock:{orders:9}", "--yes", "--audit-log", scratch.path + "/audit.log"] + urls, in: scratch.path)
            #expect(released.status == 0, "stderr: \(released.stderr)")
            #expect(released.stdout.contains("on 3 of 3 nodes"))
            #expect(try await nodes.values("orders:9") == [nil, nil, nil])
            let auditLines = try String(contentsOfFile: scratch.path + "/audit.log", encoding: .utf8).split(separator: "\n")
            #expect(auditLines.count == 3, "one audit line per node")

            let held = try await runLockwatch(
                ["hold", "orders:9"] + urls + ["--", "sh", "-c", "printf '%s|%s' \"$LOCK_FENCES\" \"${LOCK_FENCE-unset}\""], in: scratch.path)
            #expect(held.status == 0, "stderr: \(held.stderr)")
            let parts = held.stdout.split(separator: "|")
            #expect(parts.last == "unset", "a Redlock has no single fence: LOCK_FENCE must be unset")
            // One fence per node that granted the lock, each from that node's own counter
            // (the first acquisition took 1 there).
            let fences = (parts.first?.split(separator: ",") ?? []).map { $0.split(separator: "=") }
            let addresses = Set(nodes.servers.map { "127.0.0.1:\($0.port)" })
            #expect(fences.count >= 2, "LOCK_FENCES should name a majority: \(held.stdout)")
            for fence in fences {
                #expect(fence.count == 2 && addresses.contains(String(fence[0])) && (Int(fence[1]) ?? 0) >= 2, "LOCK_FENCES: \(held.stdout)")
            }
            #expect(try await nodes.values("orders:9") == [nil, nil, nil], "hold did not release on every node")
        }
    }

    @Test func badNodeOptionsAreUsageErrors() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let clusterTwice = try await runLockwatch(["list", "--cluster", "--url", "redis://127.0.0.1:1", "--url", "redis://127.0.0.1:2"], in: scratch.path)
        #expect(clusterTwice.status == 64)
        #expect(clusterTwice.stderr.contains("Redlock set"))
        let seedListInSet = try await runLockwatch(["list", "--url", "redis://127.0.0.1:1,127.0.0.1:2", "--url", "redis://127.0.0.1:3"], in: scratch.path)
        #expect(seedListInSet.status == 64)
        #expect(seedListInSet.stderr.contains("one server per --url"))
        let password = try await runLockwatch(["list", "--url", "redis://:secret@127.0.0.1:1,127.0.0.1:2"], in: scratch.path)
        #expect(password.status == 64)
        #expect(password.stderr.contains("must not contain a password"))
    }

    @Test func dashboardOnARedlockSetShowsNodesAndForceReleasesEveryCopy() async throws {
        let binary = try LockwatchBinary.path()
        try await withRedlockNodes(3) { nodes in
            let redlock = try nodes.redlock(owner: "rl-dash")
            _ = try #require(try await redlock.tryLock("orders:5", ttl: .seconds(60)).lease)
            let session = "lw-rl-\(UUID().uuidString.prefix(8))"
            let auditLog = NSTemporaryDirectory() + "\(session).log"
            defer {
                _ = try? DashboardEndToEndTests.tmux(["kill-session", "-t", session])
                try? FileManager.default.removeItem(atPath: auditLog)
            }
            let urls = nodes.servers.map { "--url \($0.url)" }.joined(separator: " ")
            let command = "\(binary) \(urls) --audit-log \(auditLog); echo EXITED=$?; sleep 60"
            try DashboardEndToEndTests.tmux(["new-session", "-d", "-s", session, "-x", "140", "-y", "30", command])

            let screen = try await DashboardEndToEndTests.waitForScreen(session, "the Redlock row") { $0.contains("orders:5") }
            #expect(screen.contains("NODES"))
            #expect(screen.contains("Redlock set of 3"))
            let row = try #require(screen.split(separator: "\n").first { $0.contains("lock:{orders:5}") })
            #expect(row.contains("3/3"), "row: \(row)")

            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "F"])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "the confirmation") { $0.contains("rl-dash") && $0.lowercased().contains("release") }
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "y"])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "the status line") { $0.contains("on 3 of 3 nodes") }
            #expect(try await nodes.values("orders:5") == [nil, nil, nil])
            try DashboardEndToEndTests.tmux(["send-keys", "-t", session, "q"])
            _ = try await DashboardEndToEndTests.waitForScreen(session, "exit") { $0.contains("EXITED=0") }
        }
    }
}
