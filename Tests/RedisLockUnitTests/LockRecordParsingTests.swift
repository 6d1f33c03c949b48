@testable import RedisLock
import Testing

/// `LockRecord(parsing:)` reads what the library writes and what JSON tools may rewrite it
/// into; anything else is not a record.
@Suite("Lock record parsing")
struct LockRecordParsingTests {
    @Test func readsTheLibrarysFormat() throws {
        let record = try #require(LockRecord(parsing: #"{"v":1,"token":"9f2c","owner":"web-7:4121","acquired_ms":1764081234567,"fence":42}"#))
        #expect(record.version == 1)
        #expect(record.token == "9f2c")
        #expect(record.owner == "web-7:4121")
        #expect(record.acquiredAtMilliseconds == 1764081234567)
        #expect(record.fence == 42)
    }

    @Test func acceptsOtherKeyOrderWhitespaceEscapesAndUnknownKeys() throws {
        let text = #"{"v": 1, "fence": 7, "extra": {"a": [1, "}"]}, "owner": "a\"b\\c \u00e9 \ud83d\ude00\n", "#
            + #""acquired_ms": -5, "token": "t", "flag": true}"#
        let record = try #require(LockRecord(parsing: text))
        #expect(record.owner == "a\"b\\c é 😀\n")
        #expect(record.fence == 7)
        #expect(record.acquiredAtMilliseconds == -5)
        #expect(record.token == "t")
    }

    @Test(arguments: [
        "plain-value",
        #"{"v":1,"token":"t","owner":"o","acquired_ms":1}"#,  // no fence
        #"{"v":1,"token":"t","owner":"o","acquired_ms":1,"fence":1.5}"#,
        #"{"v":1,"token":"t","owner":"o","acquired_ms":1,"fence":99999999999999999999}"#,
        #"{"v":1,"token":"t","owner":"o\x","acquired_ms":1,"fence":1}"#,
        #"{"v":1,"token":"t","owner":"o","acquired_ms":1,"fence":1} trailing"#,
        #"{"v":1,"token":"t","owner":"o","acquired_ms":1,"fence":1"#,
    ])
    func rejectsWhatIsNotARecord(_ text: String) {
        #expect(LockRecord(parsing: text) == nil)
    }

    @Test func theFastPathGivesBackTheExactBytesItAccepted() throws {
        let text = #"{"v":1,"token":"9f2c","owner":"web-7:4121 é","acquired_ms":1764081234567,"fence":0}"#
        let fields = try #require(RecordFastPath.parse(Array(text.utf8)))
        #expect(fields.encoded == Array(text.utf8))
        #expect(fields.fence == 0)
    }

    @Test(arguments: [
        #"{"v":1,"token":"t","owner":"o","acquired_ms":01,"fence":1}"#,  // a leading zero would not round-trip
        #"{"v":1,"token":"t","owner":"o\/x","acquired_ms":1,"fence":1}"#,  // an escape
        #"{"v":1, "token":"t","owner":"o","acquired_ms":1,"fence":1}"#,  // a space
    ])
    func theFastPathLeavesOtherShapesToTheDecoder(_ text: String) {
        #expect(RecordFastPath.parse(Array(text.utf8)) == nil)
        #expect(LockRecord(parsing: text) != nil)
    }

    @Test func aRowRebuildsARecordsValueAndKeepsItWhenAFieldChanges() throws {
        let text = #"{"v":1,"token":"tok","owner":"host:1","acquired_ms":1000,"fence":7}"#
        let fields = try #require(RecordFastPath.parse(Array(text.utf8)))
        var row = InspectedLock(keyBytes: Array("lock:{a}".utf8), record: fields, ttlMilliseconds: 5_000, placement: nil)
        let stored = InspectedLock(
            keyBytes: Array("lock:{a}".utf8), format: .lockwatch, type: "string", owner: "host:1", token: "tok",
            value: Array(text.utf8), ttlMilliseconds: 5_000, acquiredAtMilliseconds: 1000, fence: 7)
        #expect(row.value == Array(text.utf8))
        #expect(row == stored)
        #expect(row.hashValue == stored.hashValue)
        let again = InspectedLock(keyBytes: Array("lock:{a}".utf8), record: fields, ttlMilliseconds: 1, placement: nil)
        #expect(row.valueDigest == again.valueDigest)  // one holder, whatever its TTL
        var nextHolder = fields
        nextHolder.fence += 1
        #expect(InspectedLock(keyBytes: Array("lock:{a}".utf8), record: nextHolder, ttlMilliseconds: 5_000, placement: nil).valueDigest
            != row.valueDigest)
        row.owner = "someone else"  // the value read from Redis does not change with it
        #expect(row.value == Array(text.utf8))
        row.fence = 8
        #expect(row.value == Array(text.utf8))
    }
}
