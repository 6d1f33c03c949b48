@testable import RedisLock
import Testing

/// The fair lock's names and its hand-off message, without a server.
@Suite("Fair lock names and messages")
struct FairKeysTests {
    /// Every key of the contract shares the hash tag `{NAME}` after the prefix.
    @Test func keysFollowTheContract() {
        let keys = FairKeys(name: "orders:42", prefix: "lock:")
        #expect(keys.lock.lock == "lock:{orders:42}")
        #expect(keys.lock.fence == "lock:{orders:42}:fence")
        #expect(keys.lock.channel == "lock:{orders:42}:released")
        #expect(keys.queue == "lock:{orders:42}:queue")
        #expect(keys.sequence == "lock:{orders:42}:queue:seq")
        #expect(keys.deadlines == "lock:{orders:42}:deadlines")
        #expect(keys.waiters == "lock:{orders:42}:waiters")
        #expect(keys.scriptKeys.allSatisfy { $0.hasPrefix("lock:{orders:42}") })
    }

    /// `granted:<token>|<record>` names the waiter and carries its record (which may itself
    /// contain `|` in the owner label); anything else is not a hand-off.
    @Test func handOffMessagesAreParsed() throws {
        let record = #"{"v":1,"kind":"fair","token":"abc","owner":"a|b","acquired_ms":1,"fence":7}"#
        let grant = try #require(FairGrant(message: "granted:abc|" + record))
        #expect(grant.token == "abc")
        #expect(grant.value == record)
        #expect(FairGrant(message: "released") == nil)
        #expect(FairGrant(message: "granted:abc") == nil)
        #expect(FairGrant(message: "0123456789abcdef0123456789abcdef") == nil)
    }
}
