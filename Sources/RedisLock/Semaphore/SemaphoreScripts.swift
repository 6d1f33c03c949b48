import RESP

/// The scripts of ``Semaphore`` (release and extend are ``HolderScripts``').
enum SemaphoreScripts {
    /// Takes one permit when fewer holders than the permit count hold one. The count is
    /// `PREFIX{NAME}:permits`, set from the caller's count when absent (never expiring).
    ///
    /// KEYS: lock hash, expiries, fence counter, permit count. ARGV: record prefix, ttl in
    /// ms, field (`h:<token>`), the caller's permit count. Returns `{1, record, fence,
    /// permits}` when acquired, `{0, the record of the holder that expires first (the next
    /// permit to return by itself), its remaining ms, permits}` when every permit is taken, `{-1, kind, 0, ''}` for another kind of key.
    static let acquire = RedisScript(HolderScripts.acquireStart(kind: "semaphore") + """
        local permits = tonumber(redis.call('GET', KEYS[4]) or '')
        if not permits then
          redis.call('SET', KEYS[4], ARGV[4])
          permits = tonumber(ARGV[4])
        end
        if redis.call('ZCARD', KEYS[2]) >= permits then
          local h = holder(0)
          h[4] = tostring(permits)
          return h
        end
        local fence = redis.call('INCR', KEYS[3])
        local value = ARGV[1] .. string.format('%d,"fence":%d}', now, fence)
        redis.call('HMSET', KEYS[1], 'kind', 'semaphore', ARGV[3], value)
        redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
        refresh()
        return {1, value, fence, tostring(permits)}
        """)

    /// Sets the permit count and wakes the waiters (more permits may let them in). Holders
    /// keep their permits; above a lowered count, new acquires wait until enough release.
    ///
    /// KEYS: permit count. ARGV: count, wake-up channel, publish command. Returns the
    /// previous count, or 0 when there was none.
    static let setPermits = RedisScript("""
        local previous = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call(ARGV[3], ARGV[2], 'permits')
        return previous
        """)
}
