public import RESP

/// The Lua scripts behind every lock operation. Each runs atomically on the server; all keys
/// a script touches share the lock's hash tag, so they work unchanged on Redis Cluster. They
/// run on Redis 3.2 and later (only ``acquire`` reads the clock; see its note). Public so
/// that tools and services that share these locks (a benchmark, a service in another
/// language during a migration) run exactly the same scripts.
public enum LockScripts {
    /// Acquire: if the lock is free, bump the fence counter, finish the record with the
    /// server's clock and the fence, and set it with a TTL, all in one step. The client sends
    /// the record's start (see `LockRecord.prefix(token:escapedOwner:)`), so the script only
    /// appends two numbers.
    ///
    /// KEYS: lock, fence counter. ARGV: the record up to `"acquired_ms":`, ttl in ms.
    /// Returns `{1, value, fence}` when acquired, `{0, holder's value, holder's PTTL}` when not.
    ///
    /// It reads `TIME` and then writes. Redis before 5 replicates scripts verbatim and refuses
    /// a write after a non-deterministic command unless the script first switched to effects
    /// replication (`redis.replicate_commands()`, e.g. codis-server 3.2); from Redis 5 on
    /// that is the default, and in Redis 7 the call is a no-op that returns true.
    public static let acquire = RedisScript("""
        redis.replicate_commands()
        local holder = redis.call('GET', KEYS[1])
        if holder then
          return {0, holder, redis.call('PTTL', KEYS[1])}
        end
        local fence = redis.call('INCR', KEYS[2])
        local now = redis.call('TIME')
        local value = ARGV[1] .. string.format('%d,"fence":%d}', now[1] * 1000 + math.floor(now[2] / 1000), fence)
        redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
        return {1, value, fence}
        """)

    /// Acquire in the Go lock's layout (``LockLayout/legacy``): the same effect as Go's
    /// `SET key token EX n NX` (the TTL in milliseconds, `PX`), and on contention the holder's
    /// token and TTL in the same round trip. No clock, no fence.
    ///
    /// KEYS: lock. ARGV: token, ttl in ms. Returns `{1, token, 0}` when acquired,
    /// `{0, holder's value, holder's PTTL}` when not.
    public static let legacyAcquire = RedisScript("""
        local holder = redis.call('GET', KEYS[1])
        if holder then
          return {0, holder, redis.call('PTTL', KEYS[1])}
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return {1, ARGV[1], 0}
        """)

    /// Release: delete the lock only if it still holds exactly our value, then wake waiters.
    ///
    /// KEYS: lock. ARGV: our value, wake-up channel, message (the releasing locker's tag, so
    /// that its own waiters, woken already, skip it), publish command (`PUBLISH`, or
    /// `SPUBLISH` on a cluster). Returns 1 when released, 0 when the lock was gone or held by
    /// someone else (then nothing is touched). In the legacy layout the value is the token.
    public static let release = RedisScript("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call(ARGV[4], ARGV[2], ARGV[3])
          return 1
        end
        return 0
        """)

    /// Extend: reset the TTL only if the lock still holds exactly our value. An expired lock
    /// is never re-created.
    ///
    /// KEYS: lock. ARGV: our value (the token, in the legacy layout), new ttl in ms. Returns 1
    /// when extended, 0 otherwise.
    public static let extend = RedisScript("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """)

    /// Clean-up after an acquire whose outcome is unknown (the connection failed before the
    /// reply): delete the lock if its record carries our token, which is 128 random bits.
    ///
    /// KEYS: lock. ARGV: `"token":"<token>"`, wake-up channel, publish command. Returns 1
    /// when deleted.
    public static let releaseByToken = RedisScript("""
        local value = redis.call('GET', KEYS[1])
        if value and string.find(value, ARGV[1], 1, true) then
          redis.call('DEL', KEYS[1])
          redis.call(ARGV[3], ARGV[2], 'released')
          return 1
        end
        return 0
        """)
}
