import ArgumentParser
import Foundation
import Glibc
import LockWatchUI
import RESP
import RedisLock

/// `lockwatch hold NAME -- COMMAND…`: like flock(1), around a Redis lock.
struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Wait for a lock, run a command while holding it (renewed), then release it.",
        discussion: """
            The command gets LOCK_NAME, LOCK_KEY, LOCK_TOKEN and LOCK_FENCE in its environment; \
            pass LOCK_FENCE to whatever you protect, which should reject fences lower than the \
            highest it has seen. The command runs in a session and process group of its own; \
            hold exits only when every process of that group has ended, and the lock stays held \
            (renewed) until then. If the lease is lost, the whole group gets SIGTERM (SIGKILL \
            after --grace) and hold exits with 76. SIGTERM, SIGINT and SIGHUP sent to hold go to \
            the whole group.
            Connecting is retried until --wait ends (a server that is down, restarting or \
            loading); one attempt gives up after the URL's connect_timeout (default 5s), so \
            --wait 0 against a server that does not answer fails within that.
            On a cluster URL the lock lives on its slot's primary. With several --url it is a \
            Redlock over those independent servers (held on a majority); a Redlock has no single \
            fence, so the command gets LOCK_FENCES (address=fence per node) instead of LOCK_FENCE.
            With --legacy the lock uses the original Go lock's layout (key PREFIX+NAME, default \
            prefix DUSEPK_REDIS_LOCK_, the value the token as plain text), so Go services locking \
            the same name and this hold exclude each other; that layout has no fence, so the \
            command gets no LOCK_FENCE. Through Codis or twemproxy, waiting polls (they refuse \
            SUBSCRIBE).
            With --shared the command holds a read share of a read-write lock (many at once), \
            with --writer its write lock (alone; new readers wait while it waits), with \
            --permits N one permit of a semaphore of N, with --fair a fair lock (waiters queue \
            in arrival order, a release hands over to the oldest live waiter); each lease \
            expires on its own if hold dies.

            \(LockwatchExit.helpText)
            """
    )

    @Argument(help: "The lock's name (the key is PREFIX{NAME}, or PREFIX+NAME with --legacy): not empty, printable characters only.")
    var name: String

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Key prefix of the locks. (Default: DUSEPK_REDIS_LOCK_ with --legacy, else the context's prefix, else lock:.)")
    var prefix: String?

    @Flag(help: "Use the original Go lock's layout: key PREFIX+NAME, value the token as plain text, no fence.")
    var legacy = false

    @Flag(help: "Take a read share of a read-write lock: many --shared holds run at once, none while a --writer hold runs or waits.")
    var shared = false

    @Flag(help: "Take the write lock of a read-write lock: alone, and new --shared holds wait while it waits.")
    var writer = false

    @Option(help: "Take one permit of a semaphore of N permits (N at least 1; the count stored by the first holder wins).")
    var permits: Int?

    @Flag(help: "A fair lock: waiters queue in arrival order and a release hands the lock straight to the oldest live waiter (one server or a cluster).")
    var fair = false

    @Option(help: "The lock's token, exported as LOCK_TOKEN (default 128 random bits); with --legacy, any printable text up to 256 bytes, as the Go services use.")
    var token: String?

    @Option(help: "Lease time-to-live (10ms to 365 days); renewed every third of it while the command runs.")
    var ttl = DurationOption(argument: "30s")!

    @Option(help: "How long to wait for the lock, connecting included (0 fails at once if held).")
    var wait = DurationOption(argument: "10s")!

    @Option(help: "Owner label stored in the lock (default hostname:pid; the --legacy layout stores only the token).")
    var owner: String?

    @Option(help: "After SIGTERM on lease loss, wait this long before SIGKILL.")
    var grace = DurationOption(argument: "10s")!

    @Argument(parsing: .postTerminator, help: "The command to run, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command to run after --, e.g. \(SelfInvocation.command) hold NAME -- ./job.sh") }
        try LockNameCheck.name(name)
        if let prefix { try LockNameCheck.printable(prefix, what: "--prefix") }
        try HoldKind.check(shared: shared, writer: writer, permits: permits, fair: fair, legacy: legacy)
        guard ttl.duration >= .milliseconds(10) else { throw ValidationError("--ttl must be at least 10ms") }
        guard ttl.duration <= LockNameCheck.maximumTTL else { throw ValidationError("--ttl must be at most 365 days (525600m), not \(ttl)") }
    }

    func run() async throws {
        let prefix = try self.prefix ?? (legacy ? LockLayout.legacyPrefix : connection.selectedContext()?.singlePrefix() ?? "lock:")
        try LockNameCheck.printable(prefix, what: "the context's prefix")
        let deadline = ContinuousClock.now + wait.duration
        let connected = try await connection.target().connect(probeUntil: deadline)
        defer { Task { await connected.shutdown() } }
        let kind = HoldKind(shared: shared, writer: writer, permits: permits, fair: fair)
        if connected.servers.isRedlockSet, kind != .exclusive {
            throw ValidationError("--shared, --writer, --permits and --fair take one server (or one cluster), not several --url")
        }
        let lock: any DistributedLock
        do throws(LockError) {
            let configuration = LockConfiguration(prefix: prefix, owner: owner ?? LockConfiguration.defaultOwner, layout: legacy ? .legacy : .record)
            lock = try connected.servers.holdableLock(configuration: configuration, kind: kind)
        } catch {
            throw ValidationError("--owner: \(error.message)")
        }
        if connected.servers.isRedlockSet, legacy || token != nil {
            throw ValidationError("--legacy and --token take one server (or one cluster), not several --url")
        }
        try await hold(lock, until: deadline, endpoint: connected.endpointDescription)
    }

    /// Takes `lock`, runs the command while renewing the lease, and releases it: the same
    /// for every kind of lock.
    private func hold<Lock: DistributedLock>(_ lock: Lock, until deadline: ContinuousClock.Instant, endpoint: String) async throws {
        let lease = try await acquire(lock, until: deadline, endpoint: endpoint)
        let signals = ForwardedSignals([SIGTERM, SIGINT, SIGHUP])
        let command: CommandProcessGroup
        do throws(CommandProcessGroup.SpawnError) {
            command = try CommandProcessGroup.spawn(self.command, extraEnvironment: lease.environment())
        } catch {
            _ = try? await lease.unlock()
            printError("cannot run '\(TerminalText.sanitize(self.command[0]))': \(error.message)")
            throw error.code == ENOENT ? LockwatchExit.commandNotFound : LockwatchExit.cannotExecute
        }
        signals.forward(to: command)

        let outcome = await withTaskGroup(of: HoldOutcome.self) { group in
            group.addTask {
                let status = await command.waitUntilGone { status in
                    printError("the command exited (status \(status)); waiting for the processes it left running in its process group, the lock stays held until they end")
                }
                return .exited(status, leaseValid: lease.isValid)
            }
            group.addTask {
                if let loss = await lease.keepRenewed(ttl: ttl.duration) { return .lost(loss) }
                return .renewalStopped
            }
            var lost: String?
            while let next = await group.next() {
                switch next {
                case .exited(let status, let leaseValid):
                    group.cancelAll()
                    return lost.map { HoldOutcome.lost($0) } ?? HoldOutcome.exited(status, leaseValid: leaseValid)
                case .lost(let loss):
                    lost = loss
                    printError("lost the lease on '\(name)' (\(lease.fenceDescription)): \(TerminalText.sanitize(loss)); stopping the command's process group")
                    command.send(SIGTERM)
                    group.addTask {
                        do { try await Task.sleep(for: grace.duration) } catch { return .renewalStopped }
                        command.send(SIGKILL)
                        return .renewalStopped
                    }
                case .renewalStopped:
                    continue
                }
            }
            return lost.map { HoldOutcome.lost($0) } ?? HoldOutcome.renewalStopped
        }
        guard case .exited(let status, let leaseValid) = outcome else { throw LockwatchExit.leaseLost }
        try await release(lease, commandStatus: status, leaseValid: leaseValid)
    }

    /// Takes the lock within the wait, trying again after failures that may pass (a
    /// connection refused or closed, `LOADING`, `BUSY`, …).
    private func acquire<Lock: DistributedLock>(_ lock: Lock, until deadline: ContinuousClock.Instant, endpoint: String) async throws -> HeldLock<Lock> {
        var pause = Duration.milliseconds(50)
        while true {
            do throws(LockError) {
                return try await HeldLock.acquire(name, on: lock, ttl: ttl.duration, wait: max(.zero, deadline - .now), token: token)
            } catch {
                if Self.isTransient(error), deadline - .now > pause {
                    try? await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(1))
                    continue
                }
                throw Self.report(error, name: name, wait: wait, endpoint: endpoint)
            }
        }
    }

    /// Releases the lock after the command's process group has ended and exits: with the
    /// command's status, unless the lease ended before the command did (76).
    private func release<Lock: DistributedLock>(_ lease: HeldLock<Lock>, commandStatus status: Int32, leaseValid: Bool) async throws -> Never {
        let released: Bool
        do {
            released = try await lease.unlock()
        } catch {
            guard leaseValid else { throw leaseExpiredWhileRunning() }
            printError("could not release '\(name)' (it expires by its TTL, \(ttl)): \(TerminalText.sanitize(error.message))")
            throw ExitCode(status)
        }
        if released { throw ExitCode(status) }
        guard leaseValid else { throw leaseExpiredWhileRunning() }
        printError("the command ended while the lease on '\(name)' was valid, but the lock was gone when the release reached Redis (it expired meanwhile, e.g. behind a slow or paused server, or someone released it): nothing to release, it expires by its TTL")
        throw ExitCode(status)
    }

    private func leaseExpiredWhileRunning() -> ExitCode {
        printError("'\(name)' was no longer ours when the command ended: the lease expired while it ran")
        return LockwatchExit.leaseLost
    }

    /// Whether trying again within the wait may succeed.
    static func isTransient(_ error: LockError) -> Bool {
        if let underlying = error.underlying {
            if underlying.code == .authenticationFailed || underlying.code == .permissionDenied { return false }
            if underlying.code == .clusterDown { return true }
            if let prefix = underlying.serverErrorPrefix, ConnectFailure.transientServerErrors.contains(prefix) { return true }
        }
        return error.code == .connectionFailed || error.code == .outcomeUnknown
    }

    /// Prints a clear message for a failed acquire and returns the exit code.
    static func report(_ error: LockError, name: String, wait: DurationOption, endpoint: String) -> ExitCode {
        switch error.code {
        case .notAcquired, .waitTimedOut:
            let holder = error.holder.map { "\($0)" } ?? "someone else"
            printError("could not acquire '\(name)' within \(wait): held by \(TerminalText.sanitize(holder))")
            return LockwatchExit.notAcquired
        case .refusedByServer, .connectionFailed, .outcomeUnknown:
            if let underlying = error.underlying {
                if underlying.code == .authenticationFailed || underlying.code == .permissionDenied {
                    printError(TerminalText.sanitize(underlying.message))
                    return LockwatchExit.permission
                }
                if underlying.code == .connectionFailed || (error.code == .refusedByServer && isTransient(error)) {
                    // One line, as when the first connection fails.
                    return ConnectFailure(underlying, endpoint: endpoint, connectTimeout: .zero).report()
                }
            }
            printError(TerminalText.sanitize(error.message))
            return error.code == .refusedByServer ? LockwatchExit.permission : LockwatchExit.unavailable
        case .invalidArgument:
            printError(TerminalText.sanitize(error.message))
            return LockwatchExit.usage
        default:
            printError(TerminalText.sanitize(error.message))
            return LockwatchExit.software
        }
    }
}

/// How a held command ended.
enum HoldOutcome: Sendable {
    /// The command's process group is gone; whether the lease was still valid then.
    case exited(Int32, leaseValid: Bool)
    case lost(String)
    case renewalStopped
}

/// Writes `lockwatch: message` to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("lockwatch: \(message)\n".utf8))
}
