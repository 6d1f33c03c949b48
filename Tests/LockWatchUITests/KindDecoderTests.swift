import Testing
@testable import RedisLock

/// Decoding the lock kinds from the bytes the inspector read: pure, no Redis.
@Suite("Lock kinds: decoding")
struct KindDecoderTests {
    private func field(_ name: String, _ value: String) -> HashField {
        HashField(field: Array(name.utf8), value: Array(value.utf8))
    }

    private func record(_ kind: String, _ token: String, owner: String = "o", fence: Int64 = 3) -> String {
        #"{"v":1,"kind":"\#(kind)","token":"\#(token)","owner":"\#(owner)","acquired_ms":1700000000000,"fence":\#(fence)}"#
    }

    @Test func expiredHoldersAreNotCountedAndReadersShareTheWritersFence() {
        let fields = [field("kind", "rw"), field("mode", "read"), field("r:a", record("rw", "a")),
                      field("r:b", record("rw", "b")), field("r:dead", record("rw", "dead"))]
        let expiries: [[UInt8]: Int64] = [Array("r:a".utf8): 2_000, Array("r:b".utf8): 5_000, Array("r:dead".utf8): 900]
        let detail = LockKindDecoder.holderHash(.readWrite, fields: fields, expiries: expiries, permits: nil, now: 1_000)
        #expect(detail.summary == "rw: 2 readers")
        #expect(detail.readers.map(\.token) == ["a", "b"])
        #expect(detail.readers.map(\.ttlMilliseconds) == [1_000, 4_000])
        var row = InspectedLock(keyBytes: Array("lock:{x}".utf8), format: .lockwatch, type: "hash", hashFields: fields)
        LockKindDecoder.apply(detail, to: &row)
        #expect(row.fence == 3 && row.token == nil && row.owner == "o")
    }

    @Test func summariesNameEachKindCompactly() {
        let one = KindHolder(role: .reader, token: "t")
        #expect(LockKindDetail(kind: .readWrite, mode: .read, holders: [one]).summary == "rw: 1 reader")
        #expect(LockKindDetail(kind: .readWrite, mode: .write, holders: [KindHolder(role: .writer)]).summary == "rw: writer")
        #expect(LockKindDetail(kind: .semaphore, holders: [KindHolder(role: .permit)], permitsTotal: nil).summary == "semaphore 1/?")
        #expect(LockKindDetail(kind: .fair, queueLength: 4).summary == "fair: 4 queued")
        #expect(LockKindDetail(kind: .fair, queueLength: 0).summary == "fair: no queue")
    }

    @Test func aSemaphoreHolderMissingFromExpiriesHoldsNothing() {
        let fields = [field("kind", "semaphore"), field("h:a", record("semaphore", "a")), field("h:b", record("semaphore", "b"))]
        let detail = LockKindDecoder.holderHash(.semaphore, fields: fields, expiries: [Array("h:a".utf8): 9_000], permits: 4, now: 1_000)
        #expect(detail.summary == "semaphore 1/4")
        #expect(detail.holders.map(\.name) == ["a"])
    }

    @Test func theQueueHeadsOwnerComesFromItsRecordPrefixAndBadBytesDoNotCrash() {
        let waiter = LockKindDecoder.waiter(
            token: Array("w1".utf8), value: Array(#"5000|{"v":1,"kind":"fair","token":"w1","owner":"web-2","acquired_ms":"#.utf8))
        #expect(waiter.owner == "web-2" && waiter.token == "w1" && waiter.role == .waiter)
        let garbage = LockKindDecoder.waiter(token: [0xFF, 0x1B], value: [0xFF, 0x7C, 0x00])
        #expect(garbage.owner == nil)
        #expect(LockKindDecoder.isFairRecord(Array(record("fair", "t").utf8)))
        #expect(!LockKindDecoder.isFairRecord(Array(record("rw", "t").utf8)))
    }

    @Test func auxiliaryKeysAreHelpersOnlyAfterAHashTag() {
        for suffix in [":queue", ":queue:seq", ":deadlines", ":waiters", ":expiries", ":writer-waiting", ":permits", ":fence"] {
            #expect(LockFormatDetector.isHelperKey("lock:{orders}" + suffix), "\(suffix)")
        }
        #expect(!LockFormatDetector.isHelperKey("lock:orders:queue"))
        #expect(!LockFormatDetector.isHelperKey("lock:{orders}"))
    }
}
