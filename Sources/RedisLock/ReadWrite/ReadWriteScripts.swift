import RESP

/// The acquire scripts of ``ReadWriteLocker`` (release and extend are ``HolderScripts``').
///
/// KEYS of both: lock hash, expiries, fence counter, writer-waiting marker. They return
/// `{1, record, fence, ''}` when acquired, `{0, the holder's record that expires last (what
/// stands in the way longest) or '', its remaining ms, why}` when not (why: `writer`, `writer-waiting`, `readers`), `{-1, kind, 0, ''}` when the
/// key holds another kind of lock.
enum ReadWriteScripts {
    /// A reader enters unless a writer holds the lock or waits for it. Its fence is the
    /// fence of the last writer (the counter's current value, 0 before any writer).
    ///
    /// ARGV: record prefix, ttl in ms, field (`r:<token>`).
    static let acquireRead = RedisScript(HolderScripts.acquireStart(kind: "rw") + """
        if redis.call('HEXISTS', KEYS[1], 'w') == 1 then
          local h = holder(-1)
          h[4] = 'writer'
          return h
        end
        if redis.call('EXISTS', KEYS[4]) == 1 then
          local h = holder(-1)
          if h[3] < 0 then h[3] = redis.call('PTTL', KEYS[4]) end
          h[4] = 'writer-waiting'
          return h
        end
        local fence = tonumber(redis.call('GET', KEYS[3]) or '0')
        local value = ARGV[1] .. string.format('%d,"fence":%d}', now, fence)
        redis.call('HMSET', KEYS[1], 'kind', 'rw', 'mode', 'read', ARGV[3], value)
        redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
        refresh()
        return {1, value, fence, ''}
        """)

    /// The writer takes the lock when nobody holds it (bumping the fence, and dropping its own
    /// writer-waiting marker); otherwise it sets (or renews) the marker unless another
    /// writer's is there, so that new readers wait behind it.
    ///
    /// ARGV: record prefix, ttl in ms, token, the marker's TTL in ms.
    static let acquireWrite = RedisScript(HolderScripts.acquireStart(kind: "rw") + """
        if redis.call('ZCARD', KEYS[2]) > 0 then
          local marker = redis.call('GET', KEYS[4])
          if not marker or marker == ARGV[3] then
            redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[4])
          end
          local h = holder(-1)
          if redis.call('HEXISTS', KEYS[1], 'w') == 1 then h[4] = 'writer' else h[4] = 'readers' end
          return h
        end
        local fence = redis.call('INCR', KEYS[3])
        local value = ARGV[1] .. string.format('%d,"fence":%d}', now, fence)
        redis.call('DEL', KEYS[1])
        redis.call('HMSET', KEYS[1], 'kind', 'rw', 'mode', 'write', 'w', value)
        redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), 'w')
        refresh()
        if redis.call('GET', KEYS[4]) == ARGV[3] then redis.call('DEL', KEYS[4]) end
        return {1, value, fence, ''}
        """)

    /// A writer that stops waiting (timeout, cancellation, a failed single try) drops its
    /// marker at once and wakes the readers it held back.
    ///
    /// KEYS: writer-waiting marker. ARGV: token, wake-up channel, publish command. Returns 1
    /// when the marker was ours and is gone.
    static let withdrawWriter = RedisScript("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call(ARGV[3], ARGV[2], 'withdrawn')
          return 1
        end
        return 0
        """)
}
