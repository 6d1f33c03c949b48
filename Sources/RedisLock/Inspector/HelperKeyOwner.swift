/// Which lock an auxiliary key belongs to, so that a change to the auxiliary key alone (a
/// waiter joining a fair lock's `:queue`, a reader's entry in `:expiries`, a new `:permits`
/// count, a Redisson read hold's `rwlock_timeout` key) refreshes that lock's row in live
/// mode. Pure: bytes in, bytes out.
package enum HelperKeyOwner {
    /// The key of the lock `key` belongs to, or `nil` when `key` is no auxiliary key:
    ///
    /// - this library's kinds: `PREFIX{NAME}:queue`, `:queue:seq`, `:deadlines`, `:waiters`,
    ///   `:expiries`, `:writer-waiting`, `:permits` → `PREFIX{NAME}`;
    /// - Redisson's read hold `{name}:<uuid>:<tid>:rwlock_timeout:<n>` → `name`; its
    ///   permit-expirable semaphore's `{name}:timeout` → `name`; its fair lock's
    ///   `redisson_lock_queue:{name}` and `redisson_lock_timeout:{name}` → `name` (a name with a
    ///   `{` of its own keeps it: `a{b}:timeout` → `a{b}`).
    package static func lockKey(of key: [UInt8]) -> [UInt8]? {
        for suffix in ownSuffixes where key.count > suffix.count && key.reversed().starts(with: suffix.reversed()) {
            return Array(key.dropLast(suffix.count - 1))  // keeps the `}`
        }
        for prefix in redissonPrefixes where key.count > prefix.count && key.starts(with: prefix) {
            return RedissonName.unwrapped(Array(key.dropFirst(prefix.count)))
        }
        if key.count > timeoutSuffix.count, key.reversed().starts(with: timeoutSuffix.reversed()) {
            return RedissonName.unwrapped(Array(key.dropLast(timeoutSuffix.count)))
        }
        if RedissonKinds.isReadHoldKey(key) {
            // `{name}:<uuid>:<tid>:rwlock_timeout:<n>`: drop the last four `:` parts.
            var colons = 0
            var end = key.endIndex
            while end > key.startIndex && colons < 4 {
                end -= 1
                if key[end] == UInt8(ascii: ":") { colons += 1 }
            }
            return colons == 4 && end > key.startIndex ? RedissonName.unwrapped(Array(key[..<end])) : nil
        }
        return nil
    }

    /// `}:queue`, … : this library's auxiliary suffixes after the lock key's closing brace.
    private static let ownSuffixes = LockKindDecoder.auxiliarySuffixes.map { Array(("}" + $0).utf8) }
    private static let timeoutSuffix = Array(":timeout".utf8)
    private static let redissonPrefixes = ["redisson_lock_queue:", "redisson_lock_timeout:"].map { Array($0.utf8) }
}

/// Redisson's `prefixName`/`suffixName` undone: `{name}` → `name`; a name that carried a `{`
/// of its own was used as it is.
enum RedissonName {
    /// The name inside `wrapped`'s braces, or `wrapped` when it is not `{…}`.
    static func unwrapped(_ wrapped: [UInt8]) -> [UInt8] {
        guard wrapped.count >= 2, wrapped.first == UInt8(ascii: "{"), wrapped.last == UInt8(ascii: "}") else { return wrapped }
        let inner = wrapped.dropFirst().dropLast()
        return inner.contains(UInt8(ascii: "{")) || inner.contains(UInt8(ascii: "}")) ? wrapped : Array(inner)
    }
}
