import RESP

extension LockBackend {
    /// Deletes the lock at `keys` if it is held with `token` (a record carrying it; in the
    /// legacy layout, the stored value being exactly `token`) and wakes its waiters: the one
    /// release-by-token path, for a lease the caller has no stored value of (an acquire whose
    /// outcome was unknown, a Redlock node that may or may not have granted it, the Go
    /// lock's `unlock(key:token:)`). Never deletes someone else's lock.
    ///
    /// - Parameter operation: what the caller was doing, for the error message
    ///   (`releasing 'NAME'`).
    /// - Returns: whether the lock was there and deleted.
    func releaseHolding(token: String, keys: LockKeys, layout: LockLayout, during operation: @autoclosure () -> String) async throws(LockError) -> Bool {
        do {
            switch layout {
            case .record:
                let marker = "\"token\":\"\(token)\""
                return try await runFromCaller(LockScripts.releaseByToken, keys: [keys.lock], arguments: [marker, keys.channel, wakeUpPublishCommand], whenWritten: {})
                    .decode(as: Int.self) == 1
            case .legacy:
                // The stored value is the token itself: compare it whole.
                return try await runFromCaller(LockScripts.release, keys: [keys.lock], arguments: [token, keys.channel, "released", wakeUpPublishCommand], whenWritten: {})
                    .decode(as: Int.self) == 1
            }
        } catch {
            throw LockError.from(error, during: operation())
        }
    }
}

extension Locker {
    /// Deletes lock `name` if it is held with `token` (see
    /// ``LockBackend/releaseHolding(token:keys:layout:during:)``); for a node whose acquire
    /// may or may not have been applied.
    func releaseHolding(token: String, name: String) async throws(LockError) -> Bool {
        try await backend.releaseHolding(token: token, keys: keys(for: name), layout: configuration.layout, during: "releasing '\(name.escapedForMessages)'")
    }
}
