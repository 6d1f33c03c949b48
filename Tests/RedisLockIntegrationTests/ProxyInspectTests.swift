import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// `list`, `release` and the inspector through a real Codis 3.2 (two groups) and a real
/// twemproxy (two redis-servers). Before, `list` failed through both: Codis refuses `SCAN` and
/// `TIME`, twemproxy closes the connection on them; a release failed on `SCRIPT LOAD`, and its
/// audit `XADD` has no stream type on codis-server 3.2.
@Suite("ProxyInspectTests", .serialized)
struct ProxyInspectTests {
    /// Locks of this library on both groups, a Go lock (`DUSEPK_REDIS_LOCK_`, a plain token)
    /// and a key outside the selection; what `list` must show of them.
    struct Fixture {
        var names: [String]
        var tokens: [String: String]
        static let goKey = "DUSEPK_REDIS_LOCK_orders:7"
        static let goToken = "go-token-7"
    }

    /// Takes a lock on each of two names that land on different backends, writes a Go lock the
    /// way the Go service does, and an unrelated key.
    static func seed(_ target: ProxyLockTesting.Target) async throws -> Fixture {
        let locker = try target.locker(LockConfiguration(owner: "proxy-owner", acceptedRisks: [.noPersistence]))
        let names = try await ProxyLockTesting.namesOnBothBackends(target)
        var tokens: [String: String] = [:]
        for name in names {
            let lease = try #require(try await locker.tryLock(name, ttl: .seconds(60)).lease)
            tokens[lease.keys.lock] = lease.token
        }
        let admin = try target.client()
        _ = try await admin.send("SET", Fixture.goKey, Fixture.goToken, "EX", 60, "NX")
        _ = try await admin.send("SET", "cache:orders:1", "not a lock")
        return Fixture(names: names, tokens: tokens)
    }

    /// `list` through Codis walks SLOTSSCAN over all slots: the locks of both groups, and with
    /// both prefixes' keys matched, the Go lock beside them with its format; ages marked as
    /// this machine's, waiters unknown, and the proxy named.
    @Test func listThroughCodisTableAndJSON() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ProxyLockTesting.with(.codis) { target in
            let fixture = try await Self.seed(target)
            let table = try await runLockwatch(["list", "--url", target.url], in: scratch.path)
            #expect(table.status == 0, "stderr: \(table.stderr)")
            for key in fixture.tokens.keys {
                let row = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix(key) }, "no row for \(key):\n\(table.stdout)")
                let cells = row.split(separator: " ", omittingEmptySubsequences: true)
                #expect(cells.contains("proxy-owner"))
                #expect(cells.contains("?"), "waiters should be unknown: \(row)")
                #expect(cells.contains { $0.hasSuffix("*") && $0.first?.isNumber == true }, "the age should be marked local: \(row)")
            }
            #expect(table.stdout.contains("2 locks under lock:"), "\(table.stdout)")
            #expect(table.stdout.contains("via codis proxy"), "\(table.stdout)")
            #expect(table.stdout.contains("SLOTSSCAN"), "\(table.stdout)")
            #expect(!table.stdout.contains("cache:orders:1"))

            let json = try await runLockwatch(["list", "--url", target.url, "--json", "--match", "*orders*"], in: scratch.path)
            #expect(json.status == 0, "stderr: \(json.stderr)")
            #expect(json.stderr.contains("via codis proxy"))
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            #expect(Set(objects.compactMap { $0["key"] as? String }) == Set(fixture.tokens.keys).union([Fixture.goKey, "cache:orders:1"]))
            for (key, token) in fixture.tokens {
                let row = try #require(objects.first { $0["key"] as? String == key })
                #expect(row["format"] as? String == "lockwatch")
                #expect(row["token"] as? String == token)
                #expect(row["clock"] as? String == "local")
                #expect(row["waiters"] is NSNull)
                #expect(row["waiters_unknown"] as? Bool == true)
                #expect((row["age_ms"] as? Int).map { $0 >= 0 && $0 < 60_000 } == true, "age from the local clock: \(row)")
            }
            let go = try #require(objects.first { $0["key"] as? String == Fixture.goKey })
            #expect(go["format"] as? String == "go-legacy")
            #expect(go["token"] as? String == Fixture.goToken)
            #expect(go["waiters_unknown"] as? Bool == false, "a Go lock has no waiters to count")
            #expect((go["ttl_ms"] as? Int).map { $0 > 50_000 } == true)
        }
    }

    /// The inspector itself through Codis: every key from both groups' slots, the conditions
    /// for the dashboard's header, and no `SCAN`, `TIME` or `PUBSUB` reaching the proxy.
    @Test func inspectorThroughCodisUsesSlotsScan() async throws {
        try await ProxyLockTesting.with(.codis) { target in
            let fixture = try await Self.seed(target)
            let admin = try target.client()
            for index in 0 ..< 300 { _ = try await admin.send("SET", "lock:bulk:\(index)", "v\(index)", "EX", 60) }
            let inspector = LockInspector(client: try target.client(), selection: .prefix("lock:"), scanCount: 50)
            let snapshot = try await inspector.refresh()
            let keys = Set(snapshot.locks.map(\.key))
            #expect(keys.isSuperset(of: fixture.tokens.keys))
            #expect(keys.filter { $0.hasPrefix("lock:bulk:") }.count == 300)
            #expect(!keys.contains(Fixture.goKey))
            #expect(snapshot.conditions.proxy == .codis)
            #expect(snapshot.conditions.clockIsLocal && snapshot.conditions.waitersUnknown)
            #expect(snapshot.conditions.proxyLine == "via codis proxy")
            for server in target.backends {
                #expect(try server.cli(["DBSIZE"]) != "0", "a group is empty: the fixture does not cover both")
            }
            #expect(snapshot.notes.isEmpty, "through a proxy nothing is refused, so no notes: \(snapshot.notes)")
        }
    }

    /// Through Codis, `scanNodes` (the codis-servers) list the keys with SCAN instead of
    /// SLOTSSCAN, while the values are read through the proxy: the same rows either way.
    @Test func codisServersAsScanNodesListTheSameLocks() async throws {
        try await ProxyLockTesting.with(.codis) { target in
            let fixture = try await Self.seed(target)
            let proxy = try target.client()
            let nodes = try target.backends.map { try RedisClient(url: $0.url) }
            defer { Task { for node in nodes { await node.shutdown() } } }
            let viaSlots = try await LockInspector(client: proxy, selection: .glob("*orders*")).refresh()
            let viaNodes = try await LockInspector(servers: .single(proxy), selection: .glob("*orders*"), scanNodes: nodes).refresh()
            let expected = Set(fixture.tokens.keys).union([Fixture.goKey, "cache:orders:1"])
            #expect(Set(viaSlots.locks.map(\.key)) == expected)
            #expect(Set(viaNodes.locks.map(\.key)) == expected)
            #expect(viaNodes.locks.count == expected.count, "a key listed on two nodes must show once")
            #expect(viaNodes.conditions.proxy == .codis && viaNodes.conditions.clockIsLocal)
        }
    }

    /// twemproxy cannot list keys: without `--scan-node` one usage error names it; with both
    /// backends the locks of both are listed (read through the proxy).
    @Test func listThroughTwemproxyNeedsScanNodes() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ProxyLockTesting.with(.twemproxy) { target in
            let fixture = try await Self.seed(target)
            let missing = try await runLockwatch(["list", "--url", target.url], in: scratch.path)
            #expect(missing.status == 64, "stderr: \(missing.stderr)")
            #expect(missing.stderr.contains("--scan-node"))
            #expect(missing.stdout.isEmpty)
            // The dashboard's inspector says the same (its banner).
            let inspector = LockInspector(client: try target.client(), selection: .prefix("lock:"))
            do throws(RedisError) {
                _ = try await inspector.refresh()
                Issue.record("a refresh through twemproxy without scan nodes succeeded")
            } catch {
                #expect(error.code == .invalidConfiguration && error.message.contains("--scan-node"), "\(error)")
            }

            let nodes = target.backends.flatMap { ["--scan-node", $0.url] }
            let table = try await runLockwatch(["list", "--url", target.url] + nodes, in: scratch.path)
            #expect(table.status == 0, "stderr: \(table.stderr)")
            for key in fixture.tokens.keys { #expect(table.stdout.contains(key), "\(table.stdout)") }
            #expect(table.stdout.contains("via twemproxy proxy"), "\(table.stdout)")
            #expect(table.stdout.contains("SCAN on 2 --scan-node"), "\(table.stdout)")

            let json = try await runLockwatch(["list", "--url", target.url, "--ndjson", "--match", "*orders*"] + nodes, in: scratch.path)
            #expect(json.status == 0, "stderr: \(json.stderr)")
            let objects = try json.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(Set(objects.compactMap { $0["key"] as? String }) == Set(fixture.tokens.keys).union([Fixture.goKey, "cache:orders:1"]))
            #expect(objects.allSatisfy { $0["clock"] as? String == "local" })
            #expect(objects.first { $0["key"] as? String == Fixture.goKey }?["format"] as? String == "go-legacy")

            // One backend only: its locks only, one of ours is on the other.
            let one = try await runLockwatch(["list", "--url", target.url, "--scan-node", target.backends[0].url, "--json"], in: scratch.path)
            let listed = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [[String: Any]])
            #expect(listed.count == 1)
        }
    }

    /// `release` through each proxy: compare-and-delete by `EVAL`, the audit record in a capped
    /// list on the lock's backend (written by the same script) and in the local log; a token
    /// that is not the holder's is refused, audited, and deletes nothing.
    @Test(arguments: ProxyLockTesting.Proxy.allCases)
    func releaseThroughProxy(_ proxy: ProxyLockTesting.Proxy) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try await ProxyLockTesting.with(proxy) { target in
            let fixture = try await Self.seed(target)
            let admin = try target.client()
            let audit = scratch.file("audit.log")
            for (key, token) in fixture.tokens.sorted(by: { $0.key < $1.key }) {
                let list = "lock:lockwatch:audit:{" + key.dropFirst("lock:{".count).dropLast() + "}"
                let refused = try await runLockwatch(
                    ["release", key, "--url", target.url, "--yes", "--token", "not-the-holder", "--audit-log", audit], in: scratch.path)
                #expect(refused.status == 65, "stderr: \(refused.stderr)")
                #expect(try await admin.get(key) != nil, "a refused release deleted the lock")
                let refusedRecords = try await admin.send("LRANGE", list, 0, -1).decode(as: [String].self)
                #expect(refusedRecords.count == 1 && refusedRecords[0].contains("force-release-refused"), "\(refusedRecords)")

                let released = try await runLockwatch(
                    ["release", key, "--url", target.url, "--yes", "--token", token, "--audit-log", audit], in: scratch.path)
                #expect(released.status == 0, "stderr: \(released.stderr)")
                #expect(released.stdout.contains("via \(proxy) proxy"))
                #expect(released.stdout.contains("audit record in list \(list)"), "\(released.stdout)")
                #expect(try await admin.get(key) == nil)
                let records = try await admin.send("LRANGE", list, 0, -1).decode(as: [String].self)
                #expect(records.count == 2)
                let record = try #require(try JSONSerialization.jsonObject(with: Data(records[0].utf8)) as? [String: Any])
                #expect(record["action"] as? String == "force-release")
                #expect(record["key"] as? String == key)
                #expect(record["expected_token"] as? String == token)
                // The list lives where the lock lived: the same backend.
                #expect(try target.backends.filter { try $0.cli(["EXISTS", list]) == "1" }.count == 1)
            }
            let log = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
            #expect(log.count == 4)
            #expect(log.filter { $0.contains("\"action\":\"force-release\"") }.count == 2)
            #expect(log.allSatisfy { $0.contains("\"list\":\"lock:lockwatch:audit:{") })
        }
    }

    /// The operator's view went stale: the holder changed between showing and releasing.
    /// Through Codis the compare-and-delete (sent as `EVAL`: the backend never saw the script)
    /// refuses and keeps the new holder's lock, and audits the refusal.
    @Test func forceReleaseRefusesAChangedHolderThroughCodis() async throws {
        try await ProxyLockTesting.with(.codis) { target in
            let client = try target.client()
            let locker = try target.locker()
            let first = try #require(try await locker.tryLock("handover", ttl: .seconds(60)).lease)
            let inspector = LockInspector(client: client, selection: .prefix("lock:"))
            let shown = try #require(try await inspector.inspect(keys: [Array(first.keys.lock.utf8)]).first)
            #expect(try await locker.unlock(first))
            let second = try #require(try await locker.tryLock("handover", ttl: .seconds(60)).lease)

            let audit = ForceRelease.Audit(streamKey: "lock:lockwatch:audit", logFile: nil)
            let outcome = await inspector.forceRelease(shown, audit: audit)
            guard case .changedHands(let current) = outcome else {
                Issue.record("expected a refusal, got \(outcome)")
                return
            }
            #expect(String(decoding: current, as: UTF8.self) == second.value)
            #expect(try await client.get(second.keys.lock) == second.value)
            let records = try await client.send("LRANGE", "lock:lockwatch:audit:{handover}", 0, -1).decode(as: [String].self)
            #expect(records.count == 1 && records[0].contains("force-release-refused"))

            let current2 = try #require(try await inspector.inspect(keys: [Array(second.keys.lock.utf8)]).first)
            guard case .released = await inspector.forceRelease(current2, audit: audit) else {
                Issue.record("the unchanged lock was not released")
                return
            }
            #expect(try await client.get(second.keys.lock) == nil)
        }
    }

    /// The audit list's key shares the lock's hash tag (or its whole key), so Codis and
    /// twemproxy route both to the same backend; no list when that cannot be.
    @Test func auditListKeySharesTheLocksSlot() throws {
        func key(_ lock: String) -> String? {
            ForceRelease.auditListKey(base: "lock:lockwatch:audit", lockKey: Array(lock.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(key("lock:{orders:42}") == "lock:lockwatch:audit:{orders:42}")
        #expect(key("DUSEPK_REDIS_LOCK_orders:42") == "lock:lockwatch:audit:{DUSEPK_REDIS_LOCK_orders:42}")
        #expect(key("a{b") == "lock:lockwatch:audit:{a{b}")
        #expect(key("lock:{}x") == nil)
        #expect(key("a}b") == nil)
        for lock in ["lock:{orders:42}", "DUSEPK_REDIS_LOCK_orders:42", "a{b"] {
            #expect(CodisSlots.slot(of: try #require(key(lock))) == CodisSlots.slot(of: lock))
        }
        #expect(ForceRelease.auditListKey(base: "audit{x}", lockKey: Array("k".utf8)) == nil)
    }
}
