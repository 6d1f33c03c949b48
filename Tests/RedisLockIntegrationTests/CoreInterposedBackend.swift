import NIOCore
import RESP
@testable import RedisLock
import Synchronization
import LockTestSupport

/// A ``LockBackend`` over a real ``RedisClient`` that lets a test step into every script
/// call: run it for real and then delay or replace the reply, fail it without sending it, or
/// park it until an event. Everything else goes straight to the client.
final class InterposedBackend: LockBackend {
    /// One script call as the locker made it.
    struct Call: Sendable {
        let script: RedisScript
        let keys: [String]
        let arguments: [String]

        /// Whether the call is `script`.
        func runs(_ other: RedisScript) -> Bool { script.sha1 == other.sha1 }
    }

    /// Decides what a call returns; `proceed` runs it on the server for real.
    typealias Interpose = @Sendable (Call, _ proceed: () async throws(RedisError) -> RESPToken) async throws(RedisError) -> RESPToken

    let client: RedisClient
    private let interpose: Interpose
    /// The names of the other commands (not scripts) the server answered, in order.
    let answeredCommands = Locked<[String]>([])

    init(client: RedisClient, interpose: @escaping Interpose) {
        self.client = client
        self.interpose = interpose
    }

    func run(_ script: RedisScript, keys: [String], arguments: [String], whenWritten: @Sendable () -> Void) async throws(RedisError) -> RESPToken {
        try await interpose(Call(script: script, keys: keys, arguments: arguments)) { () throws(RedisError) -> RESPToken in
            try await client.run(script, keys: keys, arguments: arguments, whenWritten: whenWritten)
        }
    }

    func subscribe(toWakeUps channel: String, bufferLimit: Int) async throws(RedisError) -> RedisSubscription {
        try await client.subscribe(toWakeUps: channel, bufferLimit: bufferLimit)
    }

    func send(_ command: RESPCommand, nearKey key: String, timeout: Duration?) async throws(RedisError) -> RESPToken {
        let reply = try await client.send(command, nearKey: key, timeout: timeout)
        answeredCommands.withLock { $0.append(command.name.uppercased()) }
        return reply
    }

    var wakeUpPublishCommand: String { client.wakeUpPublishCommand }
    var eventLoopGroup: any EventLoopGroup { client.eventLoopGroup }
    var confirmsWrites: Bool { client.confirmsWrites }

    func observeConnectionChanges(_ handler: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? {
        client.observeConnectionChanges(handler)
    }

    func shutdown() async {
        await client.shutdown()
    }
}

/// Counts events and lets a test wait for the n-th one without polling a clock.
final class EventCounter: Sendable {
    private struct State {
        var count = 0
        var waiters: [(Int, CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// Records one more event.
    func record() {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count += 1
            let count = state.count
            let ready = state.waiters.filter { $0.0 <= count }.map(\.1)
            state.waiters.removeAll { $0.0 <= count }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    /// How many events so far.
    var count: Int { state.withLock { $0.count } }

    /// Returns once `count` events have happened (not cancellable: pair with `within`).
    func wait(for count: Int = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}
