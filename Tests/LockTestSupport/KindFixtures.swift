package import RESP

/// Locks of the issue-16 kinds written with raw commands, exactly in the layout of the storage
/// contract (README "More lock kinds"), for the inspector's tests: a fair lock until
/// `FairLocker` is on this branch.
package enum KindFixtures {
    /// A fair lock's waiter.
    package struct Waiter: Sendable {
        package var token: String
        package var owner: String

        package init(token: String, owner: String) {
            self.token = token
            self.owner = owner
        }
    }

    /// This library's record of `kind` (`fair`, `rw`, `semaphore`) as the acquire scripts
    /// write it (`owner` must need no JSON escape; pass it already escaped otherwise).
    package static func record(kind: String, token: String, owner: String, acquiredMilliseconds: Int64, fence: Int64) -> String {
        recordPrefix(kind: kind, token: token, owner: owner) + "\(acquiredMilliseconds),\"fence\":\(fence)}"
    }

    /// The record up to `"acquired_ms":`, as a fair waiter stores it in `:waiters`.
    package static func recordPrefix(kind: String, token: String, owner: String) -> String {
        "{\"v\":1,\"kind\":\"\(kind)\",\"token\":\"\(token)\",\"owner\":\"\(owner)\",\"acquired_ms\":"
    }

    /// Writes the fair lock `prefix{name}` held by `token`/`owner` with `fence`, and `waiters`
    /// queued in that order (arrival numbers from `:queue:seq`, deadlines 2 s ahead, each
    /// waiter's `TTL_MS|TAG|record prefix` in `:waiters`, the three auxiliary keys expiring).
    /// Returns the lock's key.
    @discardableResult
    package static func writeFairLock(
        _ client: RedisClient, name: String, token: String, owner: String, fence: Int64, waiters: [Waiter],
        prefix: String = "lock:", ttlMilliseconds: Int64 = 30_000
    ) async throws -> String {
        let key = prefix + "{" + name + "}"
        let time = try await client.send("TIME").decode(as: [Int64].self)
        let now = time[0] * 1000 + time[1] / 1000
        var commands = [
            RESPCommand("SET", key, record(kind: "fair", token: token, owner: owner, acquiredMilliseconds: now, fence: fence),
                        "PX", String(ttlMilliseconds)),
            RESPCommand("SET", key + ":fence", String(fence)),
        ]
        for waiter in waiters {
            let arrival = try await client.send("INCR", key + ":queue:seq").decode(as: Int64.self)
            commands.append(RESPCommand("ZADD", key + ":queue", String(arrival), waiter.token))
            commands.append(RESPCommand("ZADD", key + ":deadlines", String(now + 2_000), waiter.token))
            commands.append(RESPCommand("HMSET", key + ":waiters", waiter.token,
                                        "\(ttlMilliseconds)|0123456789abcdef|" + recordPrefix(kind: "fair", token: waiter.token, owner: waiter.owner)))
        }
        if !waiters.isEmpty {
            for auxiliary in [":queue", ":deadlines", ":waiters"] {
                commands.append(RESPCommand("PEXPIRE", key + auxiliary, "12000"))
            }
        }
        for reply in try await client.send(batch: commands) { _ = try reply.get() }
        return key
    }
}
