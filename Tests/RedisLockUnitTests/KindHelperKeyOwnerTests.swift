import Testing
@testable import RedisLock

/// Which lock an auxiliary key's change belongs to (live mode re-reads that lock's row).
@Suite struct KindHelperKeyOwnerTests {
    @Test(arguments: [
        ("lock:{payroll}:queue", "lock:{payroll}"), ("lock:{payroll}:queue:seq", "lock:{payroll}"),
        ("lock:{payroll}:deadlines", "lock:{payroll}"), ("lock:{payroll}:waiters", "lock:{payroll}"),
        ("lock:{catalog}:expiries", "lock:{catalog}"), ("lock:{catalog}:writer-waiting", "lock:{catalog}"),
        ("lock:{exports}:permits", "lock:{exports}"),
        ("redisson_lock_queue:{orders}", "orders"), ("redisson_lock_timeout:{orders}", "orders"),
        ("{sem}:timeout", "sem"), ("a{b}:timeout", "a{b}"),
        ("{rw}:8743c9c0-0795-4907-87fd-6c719a6b4586:1:rwlock_timeout:1", "rw"),
    ])
    func auxiliaryKeysBelongToTheirLock(_ key: String, _ owner: String) {
        #expect(HelperKeyOwner.lockKey(of: Array(key.utf8)).map { String(decoding: $0, as: UTF8.self) } == owner)
    }

    @Test(arguments: ["lock:{payroll}", "lock:queue", "lock:{x}:fence", "lock:orders:42", "}:queue", ":timeout"])
    func otherKeysBelongToNoLock(_ key: String) {
        #expect(HelperKeyOwner.lockKey(of: Array(key.utf8)) == nil)
    }
}
