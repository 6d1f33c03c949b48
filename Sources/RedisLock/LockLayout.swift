/// How a ``Locker`` stores its locks.
public enum LockLayout: String, Sendable, Hashable, CaseIterable {
    /// This library's layout: key `PREFIX{NAME}`, the value a ``LockRecord`` (token, owner,
    /// acquire time, fence), a fence counter beside it.
    case record
    /// The original Go lock's layout, for sharing locks with Go services during a migration:
    /// key `PREFIX` + `NAME` (no hash tag; the prefix is usually
    /// ``LockLayout/legacyPrefix``), the value the caller's token as a plain string, a TTL. No
    /// fence counter: a lease's ``LockLease/fence`` is 0, and a Go holder would not bump one.
    /// Acquire is `SET NX` with the TTL (``LockScripts/legacyAcquire``); release and extend
    /// are the same compare-and-delete and compare-and-`PEXPIRE` scripts as for records
    /// (they compare the whole value, which here is the token), so unlike Go's
    /// `GET`-compare-`DEL` they cannot delete a lock someone else took meanwhile.
    case legacy

    /// `DUSEPK_REDIS_LOCK_`: the Go lock's key prefix.
    public static let legacyPrefix = "DUSEPK_REDIS_LOCK_"

    /// The longest token the legacy layout accepts, in bytes (Go tokens are free strings).
    public static let maximumLegacyTokenLength = 256
}
