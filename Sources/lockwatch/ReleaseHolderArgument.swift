import ArgumentParser
import LockWatchUI
import RedisLock

/// `release --holder NAME`: which holder of a lock kind to release, and how (see
/// ``HolderRelease``, which the dashboard's per-holder release shares).
enum ReleaseHolderArgument {
    /// The expectation that releases holder `name` (its token, or its field) of `lock`.
    static func expectation(holder name: String, in lock: InspectedLock) throws -> ForceRelease.Expectation {
        let shownKey = TerminalText.sanitize(lock.keyBytes)
        guard lock.kind != nil else {
            printError("refused: '\(shownKey)' has one holder; release it without --holder")
            throw LockwatchExit.usage
        }
        guard let holder = HolderRelease.holder(named: name, in: lock) else {
            let names = lock.kind?.holders.prefix(10).map { TerminalText.sanitize($0.name) }.joined(separator: ", ") ?? ""
            printError("nothing released: no holder '\(TerminalText.sanitize(name))' in '\(shownKey)' (it holds: \(names.isEmpty ? "nobody" : names))")
            throw ExitCode(66)
        }
        print("holder: " + TerminalText.sanitize(holder.role.rawValue + " " + holder.name + (holder.owner.map { " owner " + $0 } ?? "")))
        do throws(HolderReleaseRefusal) {
            return try HolderRelease(lock: lock, holder: holder).expectation
        } catch {
            printError("refused: \(error.message) without --holder")
            throw LockwatchExit.usage
        }
    }
}
