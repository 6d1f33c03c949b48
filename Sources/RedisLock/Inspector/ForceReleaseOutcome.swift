/// What a force-release did.
public enum ForceReleaseOutcome: Sendable, Hashable {
    /// The key held exactly the value shown and was deleted; the audit entry has this id in
    /// the audit stream (or `nil` when the stream could not be written).
    case released(auditEntryID: String?)
    /// The key now holds another value: the lock changed hands, so nothing was deleted.
    case changedHands(currentValue: [UInt8])
    /// The key no longer exists.
    case vanished
    /// A Redlock set: the copies on `released` of the `held` nodes that held the lock were
    /// deleted (each with its audit entry); `others` says, per node, what kept the rest.
    case releasedCopies(released: Int, held: Int, others: [String])
    /// Redis refused (e.g. `NOPERM`) or could not be reached; the message says which.
    case failed(String)
}
