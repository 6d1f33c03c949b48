import Testing
@testable import LockWatchUI
import RedisLock

/// Force-release of one holder from the detail view, as a pure state machine: keys in,
/// commands out (the runner carries them out).
@Suite struct HolderReleaseStateTests {
    static func reader(_ token: String, _ owner: String) -> KindHolder {
        KindHolder(role: .reader, field: Array("r:\(token)".utf8), value: Array("{\"v\":1,\"kind\":\"rw\",\"token\":\"\(token)\"}".utf8),
                   token: token, owner: owner, fence: 7, ttlMilliseconds: 20_000)
    }

    /// A read-write lock with these readers, as this library writes it.
    static func readWrite(_ readers: [KindHolder]) -> InspectedLock {
        var row = lock("lock:{catalog}", owner: "api", token: nil, type: "hash")
        row.kind = LockKindDetail(kind: .readWrite, mode: .read, holders: readers)
        return row
    }

    static let first = reader("aaaa1111", "api-1")
    static let second = reader("bbbb2222", "api-2")

    /// The dashboard in the detail view of `row`.
    static func detail(of row: InspectedLock, readOnly: Bool = false) -> DashboardState {
        var state = dashboard([row], readOnly: readOnly)
        _ = state.handle(.enter)
        #expect(state.detail?.lock.key == row.key)
        return state
    }

    @Test func selectingTheSecondReaderAndConfirmingReleasesExactlyIt() throws {
        let row = Self.readWrite([Self.first, Self.second])
        var state = Self.detail(of: row)
        #expect(state.selectedHolderIndex == nil)
        #expect(state.press(.down, .character("j")).isEmpty)
        #expect(state.selectedHolderIndex == 1 && state.selectedHolder == Self.second)
        #expect(state.press(.character("f")).isEmpty, "f only asks")
        guard case .confirmHolderRelease(let release) = state.mode else {
            Issue.record("f did not ask: \(state.mode)")
            return
        }
        #expect(release.holder == Self.second)
        #expect(release.expectation == .holder(field: Self.second.field, value: Self.second.value))
        #expect(release.comparedText == "field r:bbbb2222 holds exactly the \(Self.second.value.count) bytes shown")
        let commands = state.handle(.character("y"))
        #expect(commands == [.forceReleaseHolder(release)])
        #expect(state.mode == .detail(key: row.keyBytes), "back to the detail view")
        #expect(state.status?.text == "force-releasing reader bbbb2222 of lock:{catalog}…")
    }

    @Test func upFromTheFirstHolderSelectsNoneAndTheSelectionStopsAtTheLast() {
        var state = Self.detail(of: Self.readWrite([Self.first, Self.second]))
        _ = state.press(.down, .down, .down, .down)
        #expect(state.selectedHolderIndex == 1)
        _ = state.press(.up, .character("k"))
        #expect(state.selectedHolderIndex == nil)
        _ = state.handle(.character("f"))
        #expect(state.mode == .detail(key: Array("lock:{catalog}".utf8)))
        #expect(state.status?.text == "select a holder with ↑ ↓ first, then f")
    }

    @Test(arguments: [KeyPress.character("n"), .escape, .character("q")])
    func cancellingSendsNothingAndReturnsToTheDetail(_ key: KeyPress) {
        var state = Self.detail(of: Self.readWrite([Self.first, Self.second]))
        _ = state.press(.down, .character("f"))
        guard case .confirmHolderRelease = state.mode else {
            Issue.record("f did not ask")
            return
        }
        #expect(state.handle(key).isEmpty)
        #expect(state.mode == .detail(key: Array("lock:{catalog}".utf8)))
        #expect(state.status?.text == "force-release cancelled")
        #expect(state.press(.character("x"), .character("Y")).isEmpty, "a later y confirms nothing")
    }

    @Test func readOnlyModeRefusesAndNeverAsks() {
        var state = Self.detail(of: Self.readWrite([Self.first, Self.second]), readOnly: true)
        #expect(state.press(.down, .character("f"), .character("y")).isEmpty)
        #expect(state.mode == .detail(key: Array("lock:{catalog}".utf8)))
        #expect(state.status?.text == "read-only mode: force-release is disabled")
        let footer = render(state, width: 120, height: 40).line(39)
        #expect(!footer.contains("release holder") && !footer.contains("F force-release"), "\(footer)")
    }

    @Test func aHolderThatVanishesWhileAskingClosesTheQuestion() {
        let row = Self.readWrite([Self.first, Self.second])
        var state = Self.detail(of: row)
        _ = state.press(.down, .character("f"))
        guard case .confirmHolderRelease(let release) = state.mode else {
            Issue.record("f did not ask")
            return
        }
        #expect(release.holder == Self.first)
        // A refresh where the other reader still holds: nothing changes.
        state.apply(snapshot: snapshot([row]), at: t0 + .seconds(1))
        #expect(state.mode == .confirmHolderRelease(release))
        // The first reader released meanwhile.
        state.apply(snapshot: snapshot([Self.readWrite([Self.second])]), at: t0 + .seconds(2))
        #expect(state.mode == .detail(key: row.keyBytes))
        #expect(state.status?.text == "reader aaaa1111 of lock:{catalog} is gone (released or expired) while asking: nothing to force-release")
        #expect(state.selectedHolder == nil)
        #expect(state.handle(.character("y")).isEmpty, "the y meant for the question deletes nothing")
    }

    @Test func aLockThatVanishesWhileAskingClosesTheQuestionToo() {
        var state = Self.detail(of: Self.readWrite([Self.first]))
        _ = state.press(.down, .character("f"))
        state.apply(snapshot: snapshot([]), at: t0 + .seconds(1))
        #expect(state.mode == .detail(key: Array("lock:{catalog}".utf8)))
        #expect(state.detail?.present == false)
        #expect(state.status?.text.contains("is gone") == true)
    }

    @Test func theSelectionFollowsItsHolderAcrossRefreshes() {
        var state = Self.detail(of: Self.readWrite([Self.first, Self.second]))
        _ = state.press(.down, .down)
        let newcomer = Self.reader("0000aaaa", "api-0")
        state.apply(snapshot: snapshot([Self.readWrite([newcomer, Self.first, Self.second])]), at: t0 + .seconds(1))
        #expect(state.selectedHolder == Self.second && state.selectedHolderIndex == 2)
        state.apply(snapshot: snapshot([Self.readWrite([newcomer])]), at: t0 + .seconds(2))
        #expect(state.selectedHolder == nil)
    }

    @Test func aFairLocksHolderIsReleasedAgainstTheLocksRecord() {
        var row = lock("lock:{payroll}", owner: "web-1", token: "c0ffee01", value: #"{"v":1,"kind":"fair","token":"c0ffee01"}"#)
        row.kind = LockKindDetail(kind: .fair, holders: [KindHolder(role: .holder, token: "c0ffee01", owner: "web-1")], queueLength: 2)
        var state = Self.detail(of: row)
        _ = state.press(.down, .character("f"))
        guard case .confirmHolderRelease(let release) = state.mode else {
            Issue.record("f did not ask")
            return
        }
        #expect(release.expectation == .value(row.value))
        // Handed off meanwhile: another holder, so the question closes.
        var handedOff = row
        handedOff.kind?.holders = [KindHolder(role: .holder, token: "d00d0002", owner: "web-2")]
        state.apply(snapshot: snapshot([handedOff]), at: t0 + .seconds(1))
        #expect(state.mode == .detail(key: row.keyBytes))
    }

    @Test func anotherLibrarysKindAndAPlainLockAreRefusedWithoutAsking() {
        var redisson = lock("catalog", owner: nil, token: nil, format: .redisson, type: "hash")
        redisson.kind = LockKindDetail(kind: .readWrite, mode: .read, holders: [KindHolder(role: .reader, field: Array("u:1".utf8), token: "u:1")])
        var state = Self.detail(of: redisson)
        #expect(state.press(.down, .character("f")).isEmpty)
        #expect(state.mode == .detail(key: redisson.keyBytes))
        #expect(state.status?.text == "refused: releasing one holder of a redisson rw lock is not supported; release the whole lock")
        var plain = Self.detail(of: lock("lock:plain"))
        #expect(plain.press(.down, .character("f")).isEmpty)
        #expect(plain.status?.text == "this lock has one holder: F force-releases it")
    }

    @Test func eachOutcomeSaysWhatHappenedToTheHolder() throws {
        let row = Self.readWrite([Self.first, Self.second])
        let release = try HolderRelease(lock: row, holder: Self.first)
        var state = Self.detail(of: row)
        state.apply(holderReleaseOutcome: .released(auditEntryID: "1-0"), for: release)
        #expect(state.status?.text == "released reader aaaa1111 of lock:{catalog}; the other holders keep theirs (audit entry 1-0)")
        #expect(state.status?.severity == .success)
        #expect(state.events.last?.kind == .forceReleased && state.events.last?.owner == "api-1")
        state.apply(holderReleaseOutcome: .changedHands(currentValue: Array("{\"v\":1,\"other\":true}".utf8)), for: release)
        #expect(state.status?.text.hasPrefix("refused: reader aaaa1111 of lock:{catalog} changed since it was shown (now {\"v\":1") == true)
        #expect(state.status?.text.hasSuffix("nothing deleted") == true)
        state.apply(holderReleaseOutcome: .vanished, for: release)
        #expect(state.status?.text == "reader aaaa1111 of lock:{catalog} was already gone; nothing deleted")
        state.apply(holderReleaseOutcome: .failed("NOPERM\u{1b}[2J"), for: release)
        #expect(state.status?.text == "force-release of reader aaaa1111 of lock:{catalog} failed: NOPERM\\x1b[2J")
    }
}
