import RESP

extension ForceRelease {
    /// Force-release of one holder of this library's read-write lock or semaphore (a reader,
    /// the writer, one permit): the holder's field is deleted only if its bytes equal what the
    /// operator saw; it leaves `:expiries`, the key's expiry moves to the latest remaining
    /// holder's (or the hash and its expiries go when nobody is left), waiters are woken on
    /// the release channel, and the release (or the refused attempt) is audited, all in one
    /// script, as ``script`` does for a whole lock.
    ///
    /// KEYS: the lock hash, its `:expiries`, the audit list when there is one. ARGV: field,
    /// expected value, wake-up channel, publish command, the audit list's length cap ('' for
    /// no list), the audit record of a release, the one of a refused attempt. Returns
    /// `{status, current}` like ``script``: 0 the holder is gone, 1 it holds another value
    /// now, 2 the key is no hash, 3 released (current: the value deleted). Redis 3.2 and later.
    static let holderScript = RedisScript("""
        local kind = redis.call('TYPE', KEYS[1]).ok
        if kind == 'none' then return {0, ''} end
        if kind ~= 'hash' then return {2, kind} end
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if not current then return {0, ''} end
        local function audit(record)
          if ARGV[5] == '' then return end
          redis.call('LPUSH', KEYS[3], record)
          redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[5]) - 1)
        end
        if current ~= ARGV[2] then
          audit(ARGV[7])
          return {1, current}
        end
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
        if #last == 0 then
          redis.call('DEL', KEYS[1], KEYS[2])
        else
          redis.call('PEXPIREAT', KEYS[1], last[2])
          redis.call('PEXPIREAT', KEYS[2], last[2])
        end
        if ARGV[3] ~= '' then redis.call(ARGV[4], ARGV[3], 'released') end
        audit(ARGV[6])
        return {3, current}
        """)
}
