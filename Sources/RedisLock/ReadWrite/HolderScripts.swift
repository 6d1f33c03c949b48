import RESP

/// The Lua scripts of the lock kinds whose key is a HASH of holders (``ReadWriteLocker``,
/// ``Semaphore``): one field per holder, its expiry in the `:expiries` ZSET (see
/// `LockKeys+HolderKinds.swift`). Every script reads the server's clock first and drops the
/// holders whose expiry passed, so a crashed holder's share returns when its TTL ends. All
/// keys share the lock's hash tag; Redis 3.2 and later (no multi-field `HSET`).
enum HolderScripts {
    /// What every script starts with: the server's clock in ms (`now`), and the helpers.
    /// KEYS[1] is the lock hash and KEYS[2] its expiries in every script.
    ///
    /// - `kindOf()`: `none`, the hash's `kind` field, `hash` (a hash without one) or the type;
    /// - `prune()`: drops expired holders; deletes the hash when nobody holds it;
    /// - `refresh()`: the key's (and the ZSET's) expiry = the latest holder's, or deletes both
    ///   (release and extend need no `prune()`: expired holders left behind cannot outlive
    ///   the latest expiry, and the next acquire drops them);
    /// - `holder(rank)`: `{0, record, remaining ms, ''}` of the holder that expires first
    ///   (rank 0) or last (rank -1); `{0, '', -1, ''}` when nobody holds it.
    static let preamble = """
        redis.replicate_commands()
        local clock = redis.call('TIME')
        local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
        local function kindOf()
          local t = redis.call('TYPE', KEYS[1])['ok']
          if t ~= 'hash' then return t end
          return redis.call('HGET', KEYS[1], 'kind') or 'hash'
        end
        local function prune()
          local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
          if #gone > 0 then
            redis.call('HDEL', KEYS[1], unpack(gone))
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
          end
          if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[1]) end
        end
        local function refresh()
          local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
          if #last == 0 then
            redis.call('DEL', KEYS[1], KEYS[2])
            return
          end
          redis.call('PEXPIREAT', KEYS[1], last[2])
          redis.call('PEXPIREAT', KEYS[2], last[2])
        end
        local function holder(rank)
          local found = redis.call('ZRANGE', KEYS[2], rank, rank, 'WITHSCORES')
          if #found == 0 then return {0, '', -1, ''} end
          return {0, redis.call('HGET', KEYS[1], found[1]) or '', tonumber(found[2]) - now, ''}
        end
        local function holds(field, value)
          local expiry = tonumber(redis.call('ZSCORE', KEYS[2], field) or '0')
          return expiry > now and redis.call('HGET', KEYS[1], field) == value
        end

        """

    /// Release: delete our holder field if it still holds exactly our value and has not
    /// expired, then wake waiters.
    ///
    /// KEYS: hash, expiries. ARGV: field, value, wake-up channel, message (the releasing
    /// locker's tag), publish command. Returns 1 when released, 0 when it was not ours.
    static let release = RedisScript(preamble + """
        if holds(ARGV[1], ARGV[2]) then
          redis.call('HDEL', KEYS[1], ARGV[1])
          redis.call('ZREM', KEYS[2], ARGV[1])
          refresh()
          redis.call(ARGV[5], ARGV[3], ARGV[4])
          return 1
        end
        return 0
        """)

    /// Extend: move our holder's expiry to now + ttl if it still holds exactly our value and
    /// has not expired (an expired holder is never re-created).
    ///
    /// KEYS: hash, expiries. ARGV: field, value, ttl in ms. Returns 1 when extended, else 0.
    static let extend = RedisScript(preamble + """
        if holds(ARGV[1], ARGV[2]) then
          redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
          refresh()
          return 1
        end
        return 0
        """)

    /// Clean-up after an acquire whose outcome is unknown: delete the holder field if its
    /// record carries our token (128 random bits), then wake waiters.
    ///
    /// KEYS: hash, expiries. ARGV: field, `"token":"<token>"`, wake-up channel, publish
    /// command. Returns 1 when deleted.
    static let releaseByToken = RedisScript(preamble + """
        if redis.call('TYPE', KEYS[1])['ok'] ~= 'hash' then return 0 end
        local value = redis.call('HGET', KEYS[1], ARGV[1])
        if value and string.find(value, ARGV[2], 1, true) then
          redis.call('HDEL', KEYS[1], ARGV[1])
          redis.call('ZREM', KEYS[2], ARGV[1])
          prune()
          refresh()
          redis.call(ARGV[4], ARGV[3], 'released')
          return 1
        end
        return 0
        """)

    /// The common start of an acquire: refuse a key of another kind (`{-1, kind, 0, ''}`),
    /// then drop expired holders. `kind` is the kind the script takes (`rw`, `semaphore`).
    static func acquireStart(kind: String) -> String {
        preamble + """
            local found = kindOf()
            if found ~= 'none' and found ~= '\(kind)' then return {-1, found, 0, ''} end
            prune()

            """
    }
}
