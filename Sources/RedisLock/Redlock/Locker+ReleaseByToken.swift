import RESP

extension Locker {
    /// Deletes lock `name` if its stored record carries `token` (in the legacy layout: is
    /// exactly `token`), and wakes its waiters; for a node whose acquire may or may not have
    /// been applied (Redlock releases everywhere).
    ///
    /// - Returns: whether the lock was there and deleted.
    func releaseHolding(token: String, name: String) async throws(LockError) -> Bool {
        let keys = keys(for: name)
        do {
            switch configuration.layout {
            case .record:
                let marker = "\"token\":\"\(token)\""
                return try await backend.run(
                    LockScripts.releaseByToken, keys: [keys.lock], arguments: [marker, keys.channel, backend.wakeUpPublishCommand], whenWritten: {}
                )
                    .decode(as: Int.self) == 1
            case .legacy:
                // The stored value is the token itself: compare it whole.
                return try await backend.run(
                    LockScripts.release, keys: [keys.lock], arguments: [token, keys.channel, "released", backend.wakeUpPublishCommand], whenWritten: {}
                )
                    .decode(as: Int.self) == 1
            }
        } catch {
            throw LockError.from(error, during: "releasing '\(name.escapedForMessages)'")
        }
    }
}
