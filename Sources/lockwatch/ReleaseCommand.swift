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
            The delete is compare-and-delete against the exact bytes shown (a hash field by \
            field), or --token: if the lock changed hands meanwhile, nothing is deleted. Only \
            locks are released: a key in a recognised lock format (this library, the Go lock's \
            DUSEPK_REDIS_LOCK_, Redisson, redis-py, …) or under --prefix (or --match); any \
            other key is refused unless --force-unknown says it is a lock. Each release, and \
            each refused attempt, is recorded (time, operator, host, key, value) in a Redis \
            stream and a local log. On a cluster the key's primary is found by its slot; on a \
            Redlock set (several --url) every node's copy is released against its own value, \
            with an audit entry per node. Through a proxy (Codis, twemproxy) the script runs \
            with EVAL (never SCRIPT LOAD), and the audit record goes to a capped Redis list \
            (the last 1,000) instead of a stream, as codis-server 3.2 has no streams: \
            AUDIT-STREAM:{TAG}, pushed in the same script as the delete (TAG: the lock's hash \
            tag, else its whole key, so the list lives on the lock's backend), and to the \
            local log. A key that is not UTF-8 can be given as it is, or as \
            --key-base64 (the key_base64 of `list --json`).
            Exit codes: 0 released (on a Redlock set: on at least one node); 1 declined at the prompt; 64 bad usage (also: no --yes \
            without a terminal to ask on; a key that is not a lock without --force-unknown); 65 the lock changed hands (or --token is not the holder's), nothing deleted, the attempt audited; 66 no \
            such lock; 69 Redis unreachable; 77 authentication or permission refused (NOPERM).
            """
    )

    @Argument(help: "The full key of the lock, e.g. 'lock:{orders:42}'.")
    var key: String?

    @Option(help: "The key's bytes in base64 (as `list --json` prints in key_base64), instead of KEY.")
    var keyBase64: String?

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Release only if the lock holds this token (or a record carrying it).")
    var token: String?

    @Option(help: "Release only this holder of a read-write lock or semaphore (its token, as `list --json` gives in holders[].holder): one reader or one permit, compared with what was shown; the others keep theirs.")
    var holder: String?

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @Option(help: "Key prefix of the locks; the audit stream lives under it, and keys under it count as locks.")
    var prefix = "lock:"

    @Option(help: "Keys matching this glob (SCAN MATCH syntax) count as locks too.")
    var match: String?

    @Flag(help: "Release a key even when it is neither in a recognised lock format nor under --prefix or --match.")
    var forceUnknown = false

    @Option(help: "Redis stream for audit entries (default PREFIX + 'lockwatch:audit'; '' for none).")
    var auditStream: String?

    @Option(help: "Local audit log (default $XDG_STATE_HOME/lockwatch/audit.log; '' for none).")
    var auditLog: String?

    func validate() throws {
        if (key == nil) == (keyBase64 == nil) { throw ValidationError("give the KEY or --key-base64, one of them") }
        if let keyBase64, Data(base64Encoded: keyBase64) == nil { throw ValidationError("--key-base64 is not valid base64") }
        if token != nil && holder != nil { throw ValidationError("give --token or --holder, not both") }
    }

    func run() async throws {
        try connection.refuseIfReadOnly("release")
        let keyBytes = try ReleaseKeyArgument.bytes(key: key, base64: keyBase64)
        let shownKey = TerminalText.sanitize(keyBytes)
        let connected = try await connection.target().connect()
        defer { Task { await connected.shutdown() } }
        let inspector = LockInspector(servers: connected.servers, selection: .prefix(prefix))
        let shown: InspectedLock
        do {
            guard let found = try await inspector.inspect(keys: [keyBytes]).first else {
                printError("no lock at '\(shownKey)' (the key does not exist, or is not a string or hash)")
                throw ExitCode(66)
            }
            shown = found
        } catch let error as RedisError {
            throw redisExitCode(for: error)
        }
        let conditions = await inspector.expectedConditions()
        if let via = conditions.proxyLine { print(via) }
        print(PlainLockTable.render([shown], serverTime: Int64(Date().timeIntervalSince1970 * 1000), conditions: conditions), terminator: "")
        if let fields = shown.hashFields {
            // One line per field, each side escaped: a newline inside a field never looks like another field.
            print("value: a hash of \(fields.count) field\(fields.count == 1 ? "" : "s")")
            for field in fields { print("  \(TerminalText.sanitize(field.field)) = \(TerminalText.sanitize(field.value))") }
        } else {
            print("value: \(TerminalText.sanitize(shown.value))")
        }
        if case .copies(let copies) = shown.placement {
            print("held on \(copies.copies.count) of \(copies.nodeCount) nodes" + (copies.holdersAgree ? "" : " (by different holders; each copy is released against its own value)"))
            for copy in copies.copies where copy.value != shown.value {
                print("  \(TerminalText.sanitize(copy.address)): \(TerminalText.sanitize(copy.value))")
            }
        }
        if !forceUnknown, let reason = ReleaseKeyArgument.notALock(shown, prefix: prefix, match: match) {
            printError("refused: '\(shownKey)' \(reason), so it may be application data; nothing deleted. If you know it is a lock, pass --force-unknown (or --prefix/--match covering it)")
            throw LockwatchExit.usage
        }
        let holderExpectation = try holder.map { try ReleaseHolderArgument.expectation(holder: $0, in: shown) }
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
        let outcome = await inspector.forceRelease(shown, expecting: holderExpectation ?? token.map { .token($0) }, audit: audit)
        switch outcome {
        case .released(let entry):
            print("released \(shownKey)" + (entry.map { " (audit entry \(TerminalText.sanitize($0)))" } ?? auditListNote(conditions, audit, keyBytes)))
        case .releasedCopies(let released, let held, let others):
            print("released \(shownKey) on \(released) of \(held) nodes (an audit entry on each)")
            for other in others { printError("not released on \(TerminalText.sanitize(other))") }
        case .changedHands(let current):
            let what = holder != nil ? "the holder's value changed since it was shown" : token == nil ? "the lock changed hands since it was shown" : "the lock is not held with that --token"
            printError("refused (audited): \(what); it now holds \(TerminalText.sanitize(current))")
            throw ExitCode(65)
        case .vanished:
            printError("nothing released: '\(shownKey)' vanished (released or expired) meanwhile")
            throw ExitCode(66)
        case .failed(let message):
            printError(TerminalText.sanitize(message))
            throw message.contains("NOPERM") ? LockwatchExit.permission : LockwatchExit.unavailable
        }
    }
}

extension ReleaseCommand {
    /// ` (audit record in list KEY)` through a proxy, where the record goes to a list.
    func auditListNote(_ conditions: ScanConditions, _ audit: ForceRelease.Audit, _ key: [UInt8]) -> String {
        guard conditions.proxyLine != nil, let base = audit.streamKey else { return "" }
        let list = ForceRelease.auditListKey(base: base, lockKey: key) ?? Array(base.utf8)
        return " (audit record in list \(TerminalText.sanitize(list)))"
    }
}

extension String {
    /// `nil` for the empty string.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
