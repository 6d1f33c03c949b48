import ArgumentParser
import Foundation
import Glibc
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
            highest it has seen. If the lease is lost while the command runs, the command gets \
            SIGTERM (SIGKILL after --grace) and hold exits with 76.
            On a cluster URL the lock lives on its slot's primary. With several --url it is a \
            Redlock over those independent servers (held on a majority); a Redlock has no single \
            fence, so the command gets LOCK_FENCES (address=fence per node) instead of LOCK_FENCE.

            \(LockwatchExit.helpText)
            """
    )

    @Argument(help: "The lock's name (the key is PREFIX{NAME}).")
    var name: String

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Key prefix of the locks.")
    var prefix = "lock:"

    @Option(help: "Lease time-to-live; renewed every third of it while the command runs.")
    var ttl = DurationOption(argument: "30s")!

    @Option(help: "How long to wait for the lock (0 fails at once if held).")
    var wait = DurationOption(argument: "10s")!

    @Option(help: "Owner label stored in the lock (default hostname:pid).")
    var owner: String?

    @Option(help: "After SIGTERM on lease loss, wait this long before SIGKILL.")
    var grace = DurationOption(argument: "10s")!

    @Argument(parsing: .postTerminator, help: "The command to run, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command to run after --, e.g. lockwatch hold NAME -- ./job.sh") }
        guard ttl.duration >= .milliseconds(10) else { throw ValidationError("--ttl must be at least 10ms") }
    }

    func run() async throws {
        let connected = try await connection.target().connect()
        defer { Task { await connected.shutdown() } }
        let lock: HoldableLock
        do throws(LockError) {
            lock = try HoldableLock(servers: connected.servers, configuration: LockConfiguration(prefix: prefix, owner: owner ?? LockConfiguration.defaultOwner))
        } catch {
            throw ValidationError("--owner: \(error.message)")
        }
        let lease: HeldLock
        do throws(LockError) {
            lease = try await lock.lock(name, ttl: ttl.duration, wait: wait.duration)
        } catch {
            throw Self.report(error, name: name, wait: wait)
        }
        let child: ChildProcess
        do throws(ChildProcess.SpawnError) {
            child = try ChildProcess.spawn(command, extraEnvironment: lease.environment(name: name))
        } catch {
            _ = try? await lease.unlock()
            printError("cannot run '\(command[0])': \(error.message)")
            throw error.code == ENOENT ? LockwatchExit.commandNotFound : LockwatchExit.cannotExecute
        }
        // Made only now: a signal source that is never started crashes libdispatch when freed.
        let signals = ForwardedSignals([SIGTERM, SIGINT, SIGHUP])
        signals.forward(to: child)

        let outcome = await withTaskGroup(of: HoldOutcome.self) { group in
            group.addTask { .exited(await child.waitForExit()) }
            group.addTask {
                if let loss = await lease.keepRenewed(ttl: ttl.duration) { return .lost(loss) }
                return .renewalStopped
            }
            var lost: String?
            while let next = await group.next() {
                switch next {
                case .exited(let status):
                    group.cancelAll()
                    return lost.map { HoldOutcome.lost($0) } ?? HoldOutcome.exited(status)
                case .lost(let loss):
                    lost = loss
                    printError("lost the lease on '\(name)' (\(lease.fenceDescription)): \(loss); stopping the command")
                    child.send(SIGTERM)
                    group.addTask {
                        try? await Task.sleep(for: grace.duration)
                        child.send(SIGKILL)
                        return .renewalStopped
                    }
                case .renewalStopped:
                    continue
                }
            }
            return lost.map { HoldOutcome.lost($0) } ?? HoldOutcome.renewalStopped
        }
        if case .exited(let status) = outcome {
            let released: Bool
            do { released = try await lease.unlock() } catch {
                printError("could not release '\(name)' (it expires by its TTL): \(error.message)")
                throw ExitCode(status)
            }
            if !released {
                printError("'\(name)' was no longer ours when the command ended: the lease expired while it ran")
                throw LockwatchExit.leaseLost
            }
            throw ExitCode(status)
        }
        throw LockwatchExit.leaseLost
    }

    /// Prints a clear message for a failed acquire and returns the exit code.
    static func report(_ error: LockError, name: String, wait: DurationOption) -> ExitCode {
        switch error.code {
        case .notAcquired, .waitTimedOut:
            let holder = error.holder.map { "\($0)" } ?? "someone else"
            printError("could not acquire '\(name)' within \(wait): held by \(holder)")
            return LockwatchExit.notAcquired
        case .refusedByServer:
            printError(error.message)
            return LockwatchExit.permission
        case .connectionFailed, .outcomeUnknown:
            if error.underlying?.code == .authenticationFailed || error.underlying?.code == .permissionDenied {
                printError(error.underlying!.message)
                return LockwatchExit.permission
            }
            printError(error.message)
            return LockwatchExit.unavailable
        default:
            printError(error.message)
            return LockwatchExit.software
        }
    }
}

/// How a held command ended.
enum HoldOutcome: Sendable {
    case exited(Int32)
    case lost(String)
    case renewalStopped
}

/// Writes `lockwatch: message` to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("lockwatch: \(message)\n".utf8))
}
