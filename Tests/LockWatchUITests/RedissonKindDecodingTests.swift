import Testing
@testable import RedisLock

/// Redisson's key naming and id shapes, as its `prefixName`/`suffixName` and scripts make them:
/// pure, no Redis.
@Suite("Redisson lock kinds: decoding")
struct RedissonKindDecodingTests {
    @Test func siblingNamesFollowRedissonsBraceRule() {
        #expect(String(decoding: RedissonKinds.queueKey(Array("payroll".utf8)), as: UTF8.self) == "redisson_lock_queue:{payroll}")
        #expect(String(decoding: RedissonKinds.queueKey(Array("a{b}".utf8)), as: UTF8.self) == "redisson_lock_queue:a{b}")
        #expect(String(decoding: RedissonKinds.permitsKey(Array("exports".utf8)), as: UTF8.self) == "{exports}:timeout")
        #expect(String(decoding: RedissonKinds.permitsKey(Array("x{1}".utf8)), as: UTF8.self) == "x{1}:timeout")
    }

    @Test func readHoldKeysAreHelpersAndOtherKeysAreNot() {
        #expect(LockFormatDetector.isHelperKey("{catalog}:b1f5c3c2-1a2b-4c3d-8e9f-0123456789ab:57:rwlock_timeout:2"))
        #expect(!LockFormatDetector.isHelperKey("catalog:rwlock_timeout:2"))
        #expect(LockFormatDetector.isHelperKey("redisson_unlock_latch:{catalog}:0123456789abcdef0123456789abcdef"))
    }

    @Test func onlyPermitIDsMakeASemaphore() {
        let raw = (0 ..< 16).map { UInt8($0) }
        let detail = RedissonKinds.semaphore(available: 1, members: [(raw, 10_000), (Array("0123456789abcdef0123456789abcdef".utf8), 500)],
                                             memberCount: 2, now: 1_000)
        #expect(detail?.summary == "semaphore 1/3", "the expired id counts in the total only")
        #expect(detail?.holders.first?.token == "000102030405060708090a0b0c0d0e0f")
        #expect(RedissonKinds.semaphore(available: 1, members: [(Array("job-1".utf8), 10_000)], memberCount: 1, now: 0) == nil)
        #expect(RedissonKinds.count(Array("12".utf8)) == 12 && RedissonKinds.count(Array("-1".utf8)) == nil)
    }
}
