public import RESP

/// The Lua scripts of ``FairLocker``. Every script takes the keys of ``FairKeys`` in one
/// order (lock, fence, queue, deadlines, waiters, arrival counter), all in the lock's hash
/// tag, and runs on Redis 3.2 (codis-server) and later: no Functions, no multi-field `HSET`,
/// no `ZPOPMIN`. Each reads `TIME` before writing, so each starts with
/// `redis.replicate_commands()`.
///
/// Each script first drops the waiters whose deadline passed (from the queue, the deadlines
/// and the waiters hash), so a dead waiter is never handed the lock after its deadline.
public enum FairScripts {
    /// The shared start: effects replication, the server clock, dropping dead waiters, and
    /// `grant(now, skip)`, which hands the free lock to the oldest live waiter other than
    /// `skip` (its record completed with the clock and a new fence, its TTL the smaller of its
    /// hand-off TTL and its remaining deadline), removes it from the queue and publishes
    /// `granted:<token>|<record>` on the waiter's grant channel (`<channel>:<tag>`, the tag
    /// from its queue entry; the channel itself when the tag is empty); it returns that token
    /// and record, or nothing when the queue is empty or `skip` is at its head.
    static let prologue = """
        redis.replicate_commands()
        local function clock()
          local t = redis.call('TIME')
          local now = t[1] * 1000 + math.floor(t[2] / 1000)
          local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', string.format('%d', now))
          for i = 1, #dead do
            redis.call('ZREM', KEYS[3], dead[i])
            redis.call('HDEL', KEYS[5], dead[i])
          end
          if #dead > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', string.format('%d', now)) end
          return now
        end
        local function forget(token)
          redis.call('ZREM', KEYS[3], token)
          redis.call('ZREM', KEYS[4], token)
          redis.call('HDEL', KEYS[5], token)
        end
        local function grant(now, skip, channel, publish)
          while true do
            local head = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
            if not head or head == skip then return nil end
            local entry = redis.call('HGET', KEYS[5], head)
            local deadline = redis.call('ZSCORE', KEYS[4], head)
            forget(head)
            local bar = entry and string.find(entry, '|', 1, true)
            local bar2 = bar and string.find(entry, '|', bar + 1, true)
            if bar2 and deadline then
              local ttl = math.min(tonumber(string.sub(entry, 1, bar - 1)), tonumber(deadline) - now)
              if ttl >= 1 then
                local fence = redis.call('INCR', KEYS[2])
                local value = string.sub(entry, bar2 + 1) .. string.format('%d,"fence":%d}', now, fence)
                redis.call('SET', KEYS[1], value, 'PX', string.format('%d', ttl))
                local tag = string.sub(entry, bar + 1, bar2 - 1)
                if tag ~= '' then channel = channel .. ':' .. tag end
                redis.call(publish, channel, 'granted:' .. head .. '|' .. value)
                return head, value
              end
            end
          end
        end

        """

    /// Acquire, join the queue, or renew the waiter's deadline, in one step.
    ///
    /// - If the lock already holds the caller's record (it was handed over), its TTL is set
    ///   to the full lease: the waiter confirms the hand-off.
    /// - If the lock is free and the queue is empty or the caller is its head, the caller
    ///   takes it (a new fence, the server's clock) and leaves the queue.
    /// - If the lock is free and another live waiter heads the queue (the holder expired, or
    ///   a hand-off's waiter vanished), it is handed to that waiter first.
    /// - Otherwise, with a deadline, the caller joins the back of the queue (once: its
    ///   arrival number is kept) and its deadline moves to now + deadline.
    ///
    /// ARGV: token, record prefix (up to `"acquired_ms":`), TTL ms, waiter deadline ms (`0`:
    /// do not queue), `<hand-off TTL ms>|<grant channel tag>`, channel, publish command, expiry ms of the auxiliary
    /// keys. Returns `{1, value, fence, now}` when the caller holds the lock, `{0, holder's
    /// value or false, holder's PTTL, now}` when not.
    public static let acquire = RedisScript(prologue + """
        local now = clock()
        local token, prefix = ARGV[1], ARGV[2]
        local holder = redis.call('GET', KEYS[1])
        if holder and string.sub(holder, 1, #prefix) == prefix then
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
          forget(token)
          return {1, holder, tonumber(string.match(holder, '"fence":(%d+)}$')), now}
        end
        if not holder then
          local head, value = grant(now, token, ARGV[6], ARGV[7])
          holder = value
        end
        if not holder then
          forget(token)
          local fence = redis.call('INCR', KEYS[2])
          local value = prefix .. string.format('%d,"fence":%d}', now, fence)
          redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
          return {1, value, fence, now}
        end
        if ARGV[4] ~= '0' then
          if not redis.call('ZSCORE', KEYS[3], token) then
            redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[6]), token)
            redis.call('HSET', KEYS[5], token, ARGV[5] .. '|' .. prefix)
          end
          redis.call('ZADD', KEYS[4], string.format('%d', now + tonumber(ARGV[4])), token)
          for i = 3, 5 do
            if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[8]) then redis.call('PEXPIRE', KEYS[i], ARGV[8]) end
          end
        end
        return {0, holder, redis.call('PTTL', KEYS[1]), now}
        """)

    /// Release with direct hand-off: if the lock holds our record, delete it and hand the
    /// lock to the oldest live waiter (see ``prologue``); with nobody queued, publish the
    /// releasing locker's tag as ``LockScripts/release`` does.
    ///
    /// With match `^` it is a waiter leaving (cancelled or timed out): its queue entry goes
    /// at once, and if the lock was handed to it meanwhile (its record prefix matches) it is
    /// released the same way.
    ///
    /// ARGV: our value (`=`) or record prefix (`^`), match (`=` or `^`), token, channel,
    /// message, publish command. Returns `{1, next token, next value}` when released and
    /// handed over, `{1}` when released with nobody waiting, `{0}` when the lock was not ours.
    public static let release = RedisScript(prologue + """
        if ARGV[2] == '^' then forget(ARGV[3]) end
        local holder = redis.call('GET', KEYS[1])
        if not holder then return {0} end
        if ARGV[2] == '=' then
          if holder ~= ARGV[1] then return {0} end
        elseif string.sub(holder, 1, #ARGV[1]) ~= ARGV[1] then
          return {0}
        end
        redis.call('DEL', KEYS[1])
        local head, value = grant(clock(), nil, ARGV[4], ARGV[6])
        if head then return {1, head, value} end
        redis.call(ARGV[6], ARGV[4], ARGV[5])
        return {1}
        """)
}
