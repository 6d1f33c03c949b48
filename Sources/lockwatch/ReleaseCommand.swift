import ArgumentParser
import Foundation
import Glibc
import LockWatchUI
import RESP
import RedisLock

/// `lockwatch release KEY`: force-release a stuck lock, compare-and-delete, audited.
struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Force-release a lock: shows it, asks, then deletes it only if it still holds what was shown.",
        discussion: """
            The delete is compare-and-delete against the value shown (or --token): if the lock \
            changed hands meanwhile, nothing is deleted. Each release is recorded (time, \
            operator, host, key, value) in a Redis stream and a local log. On a cluster the \
            key's primary is found by its slot; on a Redlock set (several --url) every node's \
            copy is released against its own value, with an audit entry per node.
            Exit codes: 0 released (on a Redlock set: on at least one node); 1 declined at the prompt; 64 bad usage (also: no --yes \
            without a terminal to ask on); 65 the lock changed hands, nothing deleted; 66 no \
            such lock; 69 Redis unreachable; 77 authentication or permission refused (NOPERM).
            """
    )

    @Argument(help: "The full key of the lock, e.g. 'lock:{orders:42}'.")
    var key: String

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Release only if the lock holds this token (or a record carrying it).")
    var token: String?

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @Option(help: "Key prefix of the locks; the audit stream lives under it.")
    var prefix = "lock:"

    @Option(help: "Redis stream for audit entries (default PREFIX + 'lockwatch:audit'; '' for none).")
    var auditStream: String?

    @Option(help: "Local audit log (default $XDG_STATE_HOME/lockwatch/audit.log; '' for none).")
    var auditLog: String?

    func run() async throws {
        try connection.refuseIfReadOnly("release")
        let connected = try await connection.target().connect()
        defer { Task { await connected.shutdown() } }
        let inspector = LockInspector(servers: connected.servers, selection: .glob(key))
        let shown: InspectedLock
        do {
            guard let found = try await inspector.inspect(keys: [Array(key.utf8)]).first else {
                printError("no lock at '\(TerminalText.sanitize(key))' (the key does not exist, or is not a string or hash)")
                throw ExitCode(66)
            }
            shown = found
        } catch let error as RedisError {
            throw redisExitCode(for: error)
        }
        print(PlainLockTable.render([shown], serverTime: Int64(Date().timeIntervalSince1970 * 1000)), terminator: "")
        print("value: \(TerminalText.sanitize(shown.value))")
        if case .copies(let copies) = shown.placement {
            print("held on \(copies.copies.count) of \(copies.nodeCount) nodes" + (copies.holdersAgree ? "" : " (by different holders; each copy is released against its own value)"))
            for copy in copies.copies where copy.value != shown.value {
                print("  \(TerminalText.sanitize(copy.address)): \(TerminalText.sanitize(copy.value))")
            }
        }
        if !yes {
            guard isatty(STDIN_FILENO) == 1 else {
                printError("refusing to release without confirmation: no terminal to ask on; pass --yes")
                throw LockwatchExit.usage
            }
            print("Release this lock? [y/N] ", terminator: "")
            fflush(nil)
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                print("not released")
                throw ExitCode(1)
            }
        }
        let audit = ForceRelease.Audit(
            streamKey: (auditStream ?? prefix + "lockwatch:audit").nilIfEmpty,
            logFile: (auditLog ?? ForceRelease.Audit.defaultLogFile).nilIfEmpty)
        let outcome = await inspector.forceRelease(shown, expecting: token.map { .token($0) }, audit: audit)
        switch outcome {
        case .released(let entry):
            print("released \(TerminalText.sanitize(key))" + (entry.map { " (audit entry \($0))" } ?? ""))
        case .releasedCopies(let released, let held, let others):
            print("released \(TerminalText.sanitize(key)) on \(released) of \(held) nodes (an audit entry on each)")
            for other in others { printError("not released on \(TerminalText.sanitize(other))") }
        case .changedHands(let current):
            printError("refused: the lock changed hands since it was shown; it now holds \(TerminalText.sanitize(current))")
            throw ExitCode(65)
        case .vanished:
            printError("nothing released: '\(TerminalText.sanitize(key))' vanished (released or expired) meanwhile")
            throw ExitCode(66)
        case .failed(let message):
            printError(TerminalText.sanitize(message))
            throw message.contains("NOPERM") ? LockwatchExit.permission : LockwatchExit.unavailable
        }
    }
}

extension String {
    /// `nil` for the empty string.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
