import Foundation
import RESP
import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// Expiries from keyspace notifications, when the server already publishes them, and the
/// scans' inference when it does not; the server's setting is only ever read.
@Suite("Expiry notifications")
struct ExpiryNotificationTests {
    /// Runs the listener in a task and hands its notices out one at a time.
    final class Listening: Sendable {
        let task: Task<Void, Never>
        private let stream: AsyncStream<ExpiryNotifications.Notice>

        init(_ notifications: ExpiryNotifications) {
            let (stream, continuation) = AsyncStream.makeStream(of: ExpiryNotifications.Notice.self)
            self.stream = stream
            task = Task {
                await notifications.run { continuation.yield($0) }
                continuation.finish()
            }
        }

        /// The next notice, or `nil` when the listener returned or `limit` passed first.
        func next(limit: Duration = .seconds(10)) async -> ExpiryNotifications.Notice? {
            let stream = self.stream
            return await withTaskGroup(of: ExpiryNotifications.Notice?.self) { group in
                group.addTask {
                    var iterator = stream.makeAsyncIterator()
                    return await iterator.next()
                }
                group.addTask {
                    try? await Task.sleep(for: limit)
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
        }
    }

    static func configuredFlags(_ client: RedisClient) async throws -> String {
        try await client.send("CONFIG", "GET", "notify-keyspace-events").decode(as: [String: String].self)["notify-keyspace-events"] ?? "?"
    }

    @Test func anExpiryArrivesAsANotificationAndIsNotReportedAgain() async throws {
        try await withLockServer(.init(extraConfiguration: ["notify-keyspace-events Ex"])) { pool, admin in
            let locker = try pool.locker(owner: "doomed-worker")
            let lease = try #require(try await locker.tryLock("short", ttl: .milliseconds(800)).lease)
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let first = try await inspector.refresh()
            let seen = try #require(first.locks.first { $0.key == lease.keys.lock }, "the first scan missed the lock")
            let expiresAt = first.serverTimeMilliseconds + (seen.ttlMilliseconds ?? 0)

            let listening = Listening(ExpiryNotifications(inspector: inspector))
            defer { listening.task.cancel() }
            #expect(await listening.next() == .listening(channel: "__keyevent@0__:expired"))
            // Something expiring outside the prefix is not reported.
            _ = try await admin.send("SET", "cache:page", "x", "PX", 50)

            guard case .expired(let event)? = await listening.next() else {
                Issue.record("no expiry notice")
                return
            }
            #expect(event.key == lease.keys.lock)
            #expect(event.kind == .expired && event.source == .notification)
            #expect(event.owner == "doomed-worker")
            // Dated when the server expired it, not at the next scan (active expiry runs at 10 Hz).
            #expect(event.atMilliseconds >= expiresAt - 50 && event.atMilliseconds <= expiresAt + 500, "at \(event.atMilliseconds), TTL ran out at \(expiresAt)")

            let next = try await inspector.refresh()
            #expect(!next.locks.contains { $0.key == lease.keys.lock })
            #expect(!next.events.contains { $0.key == lease.keys.lock }, "the expiry was reported again: \(next.events)")
            #expect(try await Self.configuredFlags(admin) == "xE")
        }
    }

    @Test func withNotificationsOffTheConfigStaysAndScansInferTheExpiry() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: "doomed-worker")
            let lease = try #require(try await locker.tryLock("short", ttl: .milliseconds(800)).lease)
            let inspector = LockInspector(client: admin, selection: .prefix("lock:"))
            let listening = Listening(ExpiryNotifications(inspector: inspector))
            guard case .unavailable(let reason)? = await listening.next() else {
                Issue.record("the listener did not say notifications are off")
                return
            }
            #expect(reason.contains("notify-keyspace-events is ''"), "\(reason)")
            #expect(await listening.next() == nil, "the listener kept running")
            #expect(try await Self.configuredFlags(admin) == "", "the server's notification setting was changed")

            let first = try await inspector.refresh()
            try #require(first.locks.contains { $0.key == lease.keys.lock }, "the first scan missed the lock")
            while try await admin.send("EXISTS", lease.keys.lock).decode(as: Int.self) == 1 {
                try await Task.sleep(for: .milliseconds(20))
            }
            let events = try await inspector.refresh(tolerance: .milliseconds(300)).events
            let event = try #require(events.first { $0.key == lease.keys.lock })
            #expect(event.kind == .expired && event.source == .scan)
            #expect(try await Self.configuredFlags(admin) == "")
        }
    }

    @Test func aUserDeniedConfigGetsNoNotificationsAndNoError() async throws {
        let options = RedisServer.Options(
            aclRules: ["watcher on >watcherpw ~* &* +@all -config"],
            extraConfiguration: ["notify-keyspace-events Ex"])
        try await withLockServer(options) { pool, _ in
            var configuration = try RedisConfiguration(url: pool.server.url)
            configuration.username = "watcher"
            configuration.password = "watcherpw"
            let client = RedisClient(configuration: configuration)
            let inspector = LockInspector(client: client, selection: .prefix("lock:"))
            let listening = Listening(ExpiryNotifications(inspector: inspector))
            guard case .unavailable(let reason)? = await listening.next() else {
                Issue.record("the listener did not report the denial")
                await client.shutdown()
                return
            }
            #expect(reason.contains("NOPERM"), "\(reason)")
            #expect(await listening.next() == nil, "the listener kept running")
            #expect(try await inspector.refresh().locks.isEmpty)
            await client.shutdown()
        }
    }

    @Test func globSelectionsMatchLikeTheServer() {
        let selection = LockInspector.Selection.glob("lock:[a-c]?:*\\*")
        #expect(selection.matches(Array("lock:b1:x*".utf8)))
        #expect(selection.matches(Array("lock:a9:long:path*".utf8)))
        #expect(!selection.matches(Array("lock:d1:x*".utf8)))
        #expect(!selection.matches(Array("lock:b1:x".utf8)))
        #expect(LockInspector.Selection.glob("job:[^0-9]*").matches(Array("job:x1".utf8)))
        #expect(!LockInspector.Selection.glob("job:[^0-9]*").matches(Array("job:1x".utf8)))
        #expect(LockInspector.Selection.prefix("lock:*").matches(Array("lock:*x".utf8)))
        #expect(!LockInspector.Selection.prefix("lock:*").matches(Array("lock:x".utf8)))
    }
}
