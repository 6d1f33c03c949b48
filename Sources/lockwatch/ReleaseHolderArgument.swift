import ArgumentParser
import LockWatchUI
import RedisLock

/// `release --holder NAME`: which holder of a lock kind to release, and how.
///
/// - this library's read-write lock or semaphore: only that holder's field (one reader, the
///   writer, one permit), compared byte for byte with what was shown (``ForceRelease/Expectation/holder(field:value:)``);
/// - this library's fair lock: its one holder is the lock, so the lock's record is
///   compared-and-deleted as without `--holder` and the release channel is woken: no hand-off
///   (the queue's head takes the lock on its next try, within its deadline renewal);
/// - other libraries' kinds (Redisson's): refused, release the whole lock instead.
enum ReleaseHolderArgument {
    /// The expectation that releases holder `name` (its token, or its field) of `lock`.
    static func expectation(holder name: String, in lock: InspectedLock) throws -> ForceRelease.Expectation {
        let shownKey = TerminalText.sanitize(lock.keyBytes)
        guard let kind = lock.kind else {
            printError("refused: '\(shownKey)' has one holder; release it without --holder")
            throw LockwatchExit.usage
        }
        guard let holder = kind.holders.first(where: { $0.name == name || $0.field == Array(name.utf8) }) else {
            let names = kind.holders.prefix(10).map { TerminalText.sanitize($0.name) }.joined(separator: ", ")
            printError("nothing released: no holder '\(TerminalText.sanitize(name))' in '\(shownKey)' (it holds: \(names.isEmpty ? "nobody" : names))")
            throw ExitCode(66)
        }
        print("holder: " + TerminalText.sanitize(holder.role.rawValue + " " + holder.name + (holder.owner.map { " owner " + $0 } ?? "")))
        switch (lock.format, kind.kind) {
        case (.lockwatch, .readWrite), (.lockwatch, .semaphore):
            return .holder(field: holder.field, value: holder.value)
        case (.lockwatch, .fair):
            return .value(lock.value)
        default:
            printError("refused: releasing one holder of a \(lock.format.rawValue) \(kind.kind.rawValue) lock is not supported; release the whole lock without --holder")
            throw LockwatchExit.usage
        }
    }
}
