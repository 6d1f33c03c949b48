/// A force-release of one holder of a lock kind (one reader, the writer, one permit, a fair
/// lock's holder), decided from what the operator saw: which holder, and what the
/// compare-and-delete compares. Shared by `lockwatch release --holder` and the dashboard.
///
/// - this library's read-write lock or semaphore: only the holder's field is deleted, if it
///   still holds exactly the bytes shown (``ForceRelease/Expectation/holder(field:value:)``);
/// - this library's fair lock: its one holder is the lock, so the lock's record is
///   compared-and-deleted as for a whole lock and the release channel is woken (no hand-off:
///   the queue's head takes the lock on its next try, within its deadline renewal);
/// - other libraries' kinds (Redisson's): refused, release the whole lock instead.
public struct HolderRelease: Sendable, Hashable {
    /// The lock as the operator saw it.
    public let lock: InspectedLock
    /// The holder to release, as the operator saw it.
    public let holder: KindHolder
    /// What the compare-and-delete compares.
    public let expectation: ForceRelease.Expectation

    /// Decides how to release `holder` of `lock`; throws when that holder cannot be released
    /// on its own (the message says what to do instead, every string from Redis escaped).
    public init(lock: InspectedLock, holder: KindHolder) throws(HolderReleaseRefusal) {
        let shownKey = SafeText.escape(lock.keyBytes)
        guard let kind = lock.kind else {
            throw HolderReleaseRefusal(.singleHolder, "'\(shownKey)' has one holder: release the whole lock")
        }
        guard kind.holders.contains(holder) else {
            throw HolderReleaseRefusal(.noSuchHolder, "'\(shownKey)' has no holder '\(SafeText.escape(holder.name))'")
        }
        switch (lock.format, kind.kind) {
        case (.lockwatch, .readWrite), (.lockwatch, .semaphore):
            expectation = .holder(field: holder.field, value: holder.value)
        case (.lockwatch, .fair):
            expectation = .value(lock.value)
        default:
            throw HolderReleaseRefusal(
                .unsupportedKind,
                "releasing one holder of a \(lock.format.rawValue) \(kind.kind.rawValue) lock is not supported; release the whole lock")
        }
        self.lock = lock
        self.holder = holder
    }

    /// The holder of `lock` named `name` (its token, or its field's bytes as text), as
    /// `release --holder` and `list --json`'s `holders[].holder` name it.
    public static func holder(named name: String, in lock: InspectedLock) -> KindHolder? {
        lock.kind?.holders.first { $0.name == name || $0.field == Array(name.utf8) }
    }

    /// What the compare covers, for a confirmation (escaped): `field r:<token> holds exactly
    /// the 96 bytes shown` or, for a fair lock, `the lock's whole record is exactly the 80
    /// bytes shown`.
    public var comparedText: String {
        switch expectation {
        case .holder(let field, let value):
            "field \(SafeText.escape(field)) holds exactly the \(value.count) bytes shown"
        case .value(let bytes):
            "the lock's whole record is exactly the \(bytes.count) bytes shown"
        case .hash, .token:
            "the lock holds exactly what was shown"
        }
    }

    /// Whether `latest` (the lock's row now, `nil` when gone) still lists this holder: the
    /// same field (the fair lock: the same token).
    public func isListed(in latest: InspectedLock?) -> Bool {
        guard let holders = latest?.kind?.holders else { return false }
        return holders.contains { $0.isSameHolder(as: holder) }
    }
}

/// Why one holder cannot be force-released on its own.
public struct HolderReleaseRefusal: Error, Sendable, Hashable {
    /// What kind of refusal.
    public enum Code: String, Sendable, Hashable {
        /// The lock is no kind with several holders: release the whole lock.
        case singleHolder = "single-holder"
        /// The lock lists no such holder.
        case noSuchHolder = "no-such-holder"
        /// Another library's kind, whose per-holder release is not supported.
        case unsupportedKind = "unsupported-kind"
    }

    /// What kind of refusal.
    public let code: Code
    /// What happened and what to do instead (strings from Redis escaped).
    public let message: String

    /// Makes a refusal.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
