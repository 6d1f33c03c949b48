import Foundation
import RESP
@testable import RedisLock
import RedisTestSupport
import Testing
import LockTestSupport

/// tryLock, unlock, extend, the stored record, fences, tokens and key layout, against a real
/// redis-server.
@Suite("Lock basics")
struct LockBasicsTests {
    @Test func tryLockAcquiresAndSecondAttemptSeesTheHolder() async throws {
        try await withLockServer { pool, admin in
            let first = try pool.locker(owner: "first-owner")
            let second = try pool.locker(owner: "second-owner")
            let lease = try #require(try await first.tryLock("basic", ttl: .seconds(10)).lease)
            #expect(lease.isValid)
            #expect(!lease.isLost)
            #expect(lease.name == "basic")
            #expect(try await admin.get(lease.keys.lock) == lease.value)

            let attempt = try await second.tryLock("basic", ttl: .seconds(10))
            guard case .held(let holder) = attempt else {
                Issue.record("the second tryLock acquired a held lock")
                return
            }
            #expect(holder.record?.owner == "first-owner")
            #expect(holder.owner == "first-owner")
            #expect(holder.record?.fence == lease.fence)
            #expect(holder.value == lease.value)
            let remaining = try #require(holder.remaining)
            #expect(remaining > .zero && remaining <= .seconds(10))
        }
    }

    @Test func unlockDeletesTheKeyOnceAndPublishes() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker()
            let lease = try #require(try await locker.tryLock("unlock-me", ttl: .seconds(10)).lease)
            let subscription = try await admin.subscribe(.channel, to: [lease.keys.channel])

            #expect(try await locker.unlock(lease) == true)
            #expect(try await admin.exists(lease.keys.lock) == false)
            #expect(lease.isReleased)
            #expect(!lease.isLost)
            let message = try await within(.seconds(5), "the release message") {
                var iterator = subscription.makeAsyncIterator()
                return try await iterator.next()
            }
            #expect(message != nil)

            #expect(try await locker.unlock(lease) == false)
            #expect(try await admin.exists(lease.keys.lock) == false)
        }
    }

    @Test func extendResetsTheTTL() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker()
            let lease = try #require(try await locker.tryLock("extend-me", ttl: .seconds(10)).lease)
            let before = try await admin.pttl(lease.keys.lock)
            #expect(before > 0 && before <= 10_000)
            let validBefore = lease.validUntil

            #expect(try await locker.extend(lease, ttl: .seconds(60)) == true)
            let after = try await admin.pttl(lease.keys.lock)
            #expect(after > before)
            #expect(after > 50_000 && after <= 60_000)
            #expect(lease.validUntil > validBefore)
            #expect(try await admin.get(lease.keys.lock) == lease.value)
        }
    }

    @Test func extendAfterExpiryFailsAndDoesNotRecreateTheKey() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker()
            // Long enough that a loaded machine still gets the reply within the validity (a
            // reply after it is refused); the expiry is then awaited, not slept through.
            let lease = try #require(try await locker.tryLock("short", ttl: .milliseconds(500)).lease)
            #expect(try await eventually { try await admin.pttl(lease.keys.lock) == -2 }, "the 500 ms lock never expired")

            #expect(try await locker.extend(lease, ttl: .seconds(30)) == false)
            #expect(lease.isLost)
            #expect(try await admin.exists(lease.keys.lock) == false, "extend re-created an expired lock")
            #expect(try await locker.unlock(lease) == false)
            #expect(try await admin.exists(lease.keys.lock) == false)
        }
    }

    @Test func staleLeaseCannotReleaseOrExtendTheNewHolder() async throws {
        try await withLockServer { pool, admin in
            let stale = try pool.locker(owner: "stale")
            let fresh = try pool.locker(owner: "fresh")
            let old = try #require(try await stale.tryLock("handover", ttl: .milliseconds(500)).lease)
            #expect(try await eventually { try await admin.pttl(old.keys.lock) == -2 })
            let new = try #require(try await fresh.tryLock("handover", ttl: .seconds(30)).lease)
            #expect(new.fence > old.fence)

            #expect(try await stale.unlock(old) == false)
            #expect(try await admin.get(new.keys.lock) == new.value, "a stale release touched the new holder's lock")
            #expect(try await stale.extend(old, ttl: .seconds(1)) == false)
            #expect(try await admin.get(new.keys.lock) == new.value)
            let ttl = try await admin.pttl(new.keys.lock)
            #expect(ttl > 20_000, "a stale extend changed the new holder's TTL to \(ttl) ms")
            #expect(old.isLost)
            #expect(!new.isLost)

            // A lease whose value differs only in the token cannot release either.
            let otherFirst = new.token.hasPrefix("0") ? "1" : "0"
            let forged = LockLease(keys: new.keys, value: new.value.replacingOccurrences(of: new.token, with: otherFirst + new.token.dropFirst()),
                                   token: "forged", fence: new.fence, validUntil: .now + .seconds(30))
            #expect(try await stale.unlock(forged) == false)
            #expect(try await admin.get(new.keys.lock) == new.value)
            #expect(try await fresh.unlock(new) == true)
        }
    }

    @Test func storedValueIsTheDocumentedRecord() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker(owner: #"web-7:4121 "quoted" \back\ ünï"#)
            let before = try await admin.serverMilliseconds()
            let lease = try #require(try await locker.tryLock("orders:42", ttl: .seconds(30)).lease)
            let after = try await admin.serverMilliseconds()

            let stored = try #require(try await admin.get(lease.keys.lock))
            #expect(stored == lease.value)
            #expect(stored.hasPrefix(#"{"v":1,"#))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
            #expect(Set(json.keys) == ["v", "token", "owner", "acquired_ms", "fence"])

            let record = try #require(LockRecord(parsing: stored))
            #expect(record.version == 1)
            #expect(record.owner == #"web-7:4121 "quoted" \back\ ünï"#)
            #expect(record.token == lease.token)
            #expect(record.fence == lease.fence)
            #expect(record.acquiredAtMilliseconds >= before - 1 && record.acquiredAtMilliseconds <= after + 1,
                    "acquired_ms \(record.acquiredAtMilliseconds) is not between the server times \(before) and \(after)")
            #expect(lease.token.count == 32)
            #expect(lease.token.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(LockRecord(parsing: "plain-value") == nil)
        }
    }

    @Test func fencesStrictlyIncreaseAcrossAcquisitions() async throws {
        try await withLockServer { pool, admin in
            let lockers = [try pool.locker(owner: "a"), try pool.locker(owner: "b")]
            var fences: [Int64] = []
            for round in 0..<10 {
                let locker = lockers[round % 2]
                let lease = try #require(try await locker.tryLock("fenced", ttl: .seconds(10)).lease)
                fences.append(lease.fence)
                #expect(try await admin.get(lease.keys.fence) == String(lease.fence))
                #expect(try await locker.unlock(lease))
            }
            #expect(zip(fences, fences.dropFirst()).allSatisfy { $0 < $1 }, "fences \(fences)")
            // The fence counter never expires.
            #expect(try await admin.pttl(lockers[0].keys(for: "fenced").fence) == -1)
        }
    }

    @Test func customTokenIsAccepted() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker()
            let token = "job-17.retry_2:A-z"
            let lease = try #require(try await locker.tryLock("custom", ttl: .seconds(10), token: token).lease)
            #expect(lease.token == token)
            let stored = try #require(try await admin.get(lease.keys.lock))
            #expect(LockRecord(parsing: stored)?.token == token)
            #expect(try await locker.unlock(lease))

            let maximal = String(repeating: "t", count: LockRecord.maximumTokenLength)
            let other = try await locker.lock("custom", ttl: .seconds(10), wait: .zero, token: maximal)
            #expect(other.token == maximal)
        }
    }

    @Test(arguments: ["", "has space", "new\nline", "quote\"", "slash/", "ünï", String(repeating: "x", count: LockRecord.maximumTokenLength + 1)])
    func invalidTokensAreRejected(token: String) async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker()
            let viaTry = await lockError { () throws(LockError) in try await locker.tryLock("tokens", ttl: .seconds(1), token: token) }
            #expect(viaTry?.code == .invalidArgument)
            let viaLock = await lockError { () throws(LockError) in try await locker.lock("tokens", ttl: .seconds(1), wait: .seconds(1), token: token) }
            #expect(viaLock?.code == .invalidArgument)
            #expect(try await admin.exists(locker.keys(for: "tokens").lock) == false)
            #expect(try await admin.exists(locker.keys(for: "tokens").fence) == false)
        }
    }

    @Test(arguments: ["", "bell\u{07}", "new\nline", "tab\there", "zero\u{200B}width", "del\u{7F}", String(repeating: "o", count: LockRecord.maximumOwnerLength + 1)])
    func invalidOwnersAreRejected(owner: String) async throws {
        try await withLockServer { pool, _ in
            let client = try pool.client()
            do throws(LockError) {
                _ = try Locker(client: client, configuration: LockConfiguration(owner: owner, acceptedRisks: [.noPersistence]))
                Issue.record("owner \(owner.debugDescription) was accepted")
            } catch {
                #expect(error.code == .invalidArgument)
            }
        }
    }

    @Test func invalidTTLsAreRejected() async throws {
        try await withLockServer { pool, _ in
            let locker = try pool.locker()
            for ttl in [Duration.zero, .microseconds(500), .seconds(-1)] {
                let error = await lockError { () throws(LockError) in try await locker.tryLock("ttl", ttl: ttl) }
                #expect(error?.code == .invalidArgument, "ttl \(ttl)")
            }
        }
    }

    @Test func keysShareTheHashTag() async throws {
        try await withLockServer { pool, admin in
            let locker = try pool.locker()
            let keys = locker.keys(for: "orders:42")
            #expect(keys.lock == "lock:{orders:42}")
            #expect(keys.fence == "lock:{orders:42}:fence")
            #expect(keys.channel == "lock:{orders:42}:released")
            for name in [keys.lock, keys.fence, keys.channel] {
                #expect(Self.hashTag(of: name) == "orders:42", "\(name)")
            }
            let custom = LockKeys(name: "n", prefix: "app/")
            #expect([custom.lock, custom.fence, custom.channel].allSatisfy { Self.hashTag(of: $0) == "n" })

            // The keys the scripts really use are these.
            let lease = try #require(try await locker.tryLock("orders:42", ttl: .seconds(5)).lease)
            #expect(lease.keys == keys)
            #expect(try await admin.exists(keys.lock))
            #expect(try await admin.get(keys.fence) == String(lease.fence))
        }
    }

    /// The Redis Cluster hash tag: the text between the first `{` and the next `}`.
    static func hashTag(of key: String) -> String? {
        guard let open = key.firstIndex(of: "{") else { return nil }
        let rest = key[key.index(after: open)...]
        guard let close = rest.firstIndex(of: "}"), close > rest.startIndex else { return nil }
        return String(rest[..<close])
    }

    /// The documented limits (owner ≤ 200 bytes, token ≤ 64) must produce a record no longer
    /// than `LockRecord.maximumSize`, or `LockRecord(parsing:)` refuses the library's own value.
    @Test func longestOwnerAndTokenStillParse() async throws {
        try await withLockServer { pool, admin in
            let owner = String(repeating: "\"", count: LockRecord.maximumOwnerLength)
            let locker = try pool.locker(owner: owner)
            let token = String(repeating: "t", count: LockRecord.maximumTokenLength)
            let lease = try #require(try await locker.tryLock("limits", ttl: .seconds(5), token: token).lease)
            let stored = try #require(try await admin.get(lease.keys.lock))
            #expect(stored.utf8.count <= LockRecord.maximumSize,
                    "the library wrote a \(stored.utf8.count)-byte record, more than LockRecord.maximumSize (\(LockRecord.maximumSize))")
            #expect(LockRecord(parsing: stored)?.owner == owner, "LockRecord cannot parse a record the library itself wrote")
        }
    }
}
