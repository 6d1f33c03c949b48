extension LockKeys {
    /// The ZSET of holder expiries of a read-write lock or semaphore (`PREFIX{NAME}:expiries`):
    /// member = the holder's field in the lock hash, score = its expiry in server ms.
    var expiries: String { lock + ":expiries" }

    /// A waiting writer's marker (`PREFIX{NAME}:writer-waiting`): while it exists, new readers
    /// of a read-write lock do not enter.
    var writerWaiting: String { lock + ":writer-waiting" }

    /// A semaphore's permit count (`PREFIX{NAME}:permits`), never expiring.
    var permits: String { lock + ":permits" }
}
