import Foundation
import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// Shared helpers of the integration tests (files `Integration*.swift`), which run the client
/// against real redis-server processes started by RedisTestSupport.
enum Integration {
    /// A test waited for something that did not happen in time.
    struct TimedOut: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out: \(what)" }
    }

    /// A test expected an error but the body returned normally.
    struct DidNotThrow: Error, CustomStringConvertible {
        let what: String
        var description: String { "expected an error, but it succeeded: \(what)" }
    }

    /// Parses `url` with an empty environment (so `REDIS_PASSWORD` of the machine never leaks in).
    static func configuration(_ url: String) throws(RedisError) -> RedisConfiguration {
        try RedisConfiguration(url: url, environment: [:])
    }

    /// The configuration for `server` with the given protocol preference.
    static func configuration(
        _ server: RedisServer,
        protocol preference: RedisConfiguration.ProtocolPreference = .resp3WithFallback
    ) throws -> RedisConfiguration {
        var configuration = try configuration(server.url)
        configuration.protocolPreference = preference
        return configuration
    }

    /// Opens a single connection to `server`.
    static func connect(
        _ server: RedisServer,
        protocol preference: RedisConfiguration.ProtocolPreference = .resp3WithFallback
    ) async throws -> RedisConnection {
        try await RedisConnection.connect(configuration(server, protocol: preference))
    }

    /// Runs `body`, failing with ``TimedOut`` when it takes longer than `limit`. `body` must
    /// react to cancellation (every `send` of the client does).
    @discardableResult
    static func within<T: Sendable>(
        _ limit: Duration,
        _ what: String,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw TimedOut(what: "\(what) (limit \(limit))")
            }
            return value
        }
    }

    /// Polls `condition` every 10 ms until it holds; throws ``TimedOut`` after `limit`.
    static func poll(
        _ what: String,
        limit: Duration = .seconds(5),
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while try await !condition() {
            if ContinuousClock.now >= deadline {
                throw TimedOut(what: "\(what) (limit \(limit))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs `body`, which must throw a ``RedisError`` with `code`, and returns that error.
    @discardableResult
    static func expectError<T>(
        _ code: RedisError.Code,
        _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> T
    ) async throws -> RedisError {
        let result: T
        do {
            result = try await body()
        } catch let error as RedisError {
            #expect(error.code == code, "\(what): expected \(code), got \(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("\(what): expected RedisError \(code), got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            throw error
        }
        Issue.record("\(what): expected RedisError \(code), got a result: \(result)", sourceLocation: sourceLocation)
        throw DidNotThrow(what: what)
    }

    /// The first `count` messages of `subscription`, read within `limit`.
    static func messages(
        _ subscription: RedisSubscription,
        count: Int,
        limit: Duration = .seconds(5)
    ) async throws -> [RedisPubSubMessage] {
        try await within(limit, "receiving \(count) pub/sub messages") {
            var received: [RedisPubSubMessage] = []
            var iterator = subscription.makeAsyncIterator()
            while received.count < count, let message = try await iterator.next() {
                received.append(message)
            }
            return received
        }
    }

    /// The integer in `field:N` of `INFO section` (e.g. `blocked_clients`), read with redis-cli.
    static func info(_ server: RedisServer, _ section: String, field: String) throws -> Int? {
        let text = try server.cli(["INFO", section])
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("\(field):") {
            return Int(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Waits until `count` clients of `server` are blocked (BLPOP …), polling with redis-cli.
    static func waitForBlockedClients(_ server: RedisServer, count: Int, limit: Duration = .seconds(5)) async throws {
        var last: Int?
        do {
            try await poll("\(count) blocked clients", limit: limit) {
                last = try info(server, "clients", field: "blocked_clients")
                return last == count
            }
        } catch let error as TimedOut {
            throw TimedOut(what: "\(error.what); last saw \(last.map(String.init) ?? "none")")
        }
    }
}

extension Integration {
    /// Waits until a blocked client of `server` (`flags=b` in `CLIENT LIST`) has exactly
    /// `bytes` unprocessed bytes in its query buffer: the commands pipelined behind the
    /// blocking one have all arrived at the server.
    static func waitForQueuedBytes(_ server: RedisServer, _ bytes: Int, limit: Duration = .seconds(5)) async throws {
        var last = "no blocked client"
        do {
            try await poll("a blocked client with qbuf=\(bytes)", limit: limit) {
                let list = try server.cli(["CLIENT", "LIST"])
                guard let line = list.split(whereSeparator: \.isNewline).first(where: { $0.contains(" flags=b ") }) else {
                    return false
                }
                last = String(line)
                return line.split(separator: " ").contains { $0 == "qbuf=\(bytes)" }
            }
        } catch let error as TimedOut {
            throw TimedOut(what: "\(error.what); last saw \(last)")
        }
    }
}

extension RedisPubSubMessage {
    /// The payload as UTF-8 text.
    var text: String { String(buffer: payload) }
}
