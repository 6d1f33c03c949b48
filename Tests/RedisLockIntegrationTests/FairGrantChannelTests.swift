import Foundation
import RESP
import RedisLock
import Testing
import LockTestSupport

/// A hand-off is published on the grant channel of the locker whose waiter gets the lock, so
/// only that process wakes; only a release with nobody queued goes to the lock's release
/// channel, which every waiting process hears.
@Suite(.timeLimit(.minutes(1)))
struct FairGrantChannelTests {
    @Test func aHandOffIsPublishedOnlyOnTheGrantChannelOfTheLockerItGoesTo() async throws {
        try await withLockServer { pool, admin in
            let (holder, _) = try pool.fairLocker(owner: "holder")
            let (first, _) = try pool.fairLocker(owner: "first")
            let (second, _) = try pool.fairLocker(owner: "second")
            #expect(Set([holder.grantTag, first.grantTag, second.grantTag]).count == 3, "each locker has its own grant channel")
            let keys = holder.keys(for: "targeted")
            let observer = try pool.client()
            let heard = try await observer.subscribe(.pattern, to: [keys.lock.channel + "*"])

            let held = try await holder.lock("targeted", ttl: .seconds(10), wait: .zero)
            let firstWaits = Task { try await first.lock("targeted", ttl: .seconds(10), wait: .seconds(30)) }
            #expect(try await eventually { try await admin.zcard(keys.queue) == 1 })
            let secondWaits = Task { try await second.lock("targeted", ttl: .seconds(10), wait: .seconds(30)) }
            #expect(try await eventually { try await admin.zcard(keys.queue) == 2 })

            #expect(try await holder.unlock(held))
            let firstLease = try await firstWaits.value
            #expect(try await first.unlock(firstLease))
            let secondLease = try await secondWaits.value
            #expect(try await second.unlock(secondLease))

            // Three messages, in order: the hand-off to `first` on its grant channel, the one
            // to `second` on its own, and the last release (nobody queued) on the release
            // channel. Nothing else was published on any of the lock's channels.
            var messages: [(channel: String, payload: String)] = []
            for try await message in heard {
                messages.append((message.channel, String(buffer: message.payload)))
                if messages.count == 3 { break }
            }
            #expect(messages.map(\.channel) == [
                keys.lock.channel + ":" + first.grantTag, keys.lock.channel + ":" + second.grantTag, keys.lock.channel,
            ])
            #expect(messages[0].payload == "granted:\(firstLease.token)|\(firstLease.value)")
            #expect(messages[1].payload == "granted:\(secondLease.token)|\(secondLease.value)")
            #expect(!messages[2].payload.hasPrefix("granted:"))
        }
    }
}

extension FairGrantChannelTests {
    /// A contender that waits again soon after its last wait ended reuses its subscriptions
    /// (no new `SUBSCRIBE`); they close once nobody waited for the linger (1 s).
    @Test func aContenderThatWaitsAgainSoonSendsNoNewSubscribe() async throws {
        try await withLockServer { pool, admin in
            let (holder, _) = try pool.fairLocker(owner: "holder")
            let (contender, _) = try pool.fairLocker(owner: "contender")
            let keys = holder.keys(for: "again")
            let grantChannel = keys.lock.channel + ":" + contender.grantTag
            _ = try await admin.send("CONFIG", "RESETSTAT")
            for round in 0 ..< 3 {
                let held = try await holder.lock("again", ttl: .seconds(10), wait: .zero)
                let waits = Task { try await contender.lock("again", ttl: .seconds(10), wait: .seconds(30)) }
                try #require(try await eventually { try await admin.zcard(keys.queue) == 1 }, "round \(round): never queued")
                #expect(try await holder.unlock(held))
                #expect(try await contender.unlock(try await waits.value))
            }
            let stats = try await admin.send("INFO", "commandstats").decode(as: String.self)
            let subscribeCalls = stats.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_subscribe:calls=") }
                .flatMap { $0.dropFirst("cmdstat_subscribe:calls=".count).split(separator: ",").first }
            #expect(subscribeCalls == "2", "three waits sent \(subscribeCalls ?? "no") SUBSCRIBE commands; the first wait's two (release and grant channel) should serve all three")
            #expect(try await admin.subscriberCount(grantChannel) == 1)
            #expect(try await eventually(timeout: .seconds(5)) { try await admin.subscriberCount(grantChannel) == 0 }, "the idle subscription never closed")
            #expect(try await admin.subscriberCount(keys.lock.channel) == 0)
        }
    }
}
