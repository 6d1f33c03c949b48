import Testing
@testable import LockWatchUI
import RedisLock

/// The detail view shows a hash field by field, each side escaped: a hash whose field holds a
/// newline never looks like one with an extra field.
@Suite struct HashDetailTests {
    @Test func aNewlineInsideAFieldIsShownEscapedOnItsLine() {
        let tricky = [HashField(field: Array("a".utf8), value: Array("1\nb=2".utf8))]
        let plain = [HashField(field: Array("a".utf8), value: Array("1".utf8)), HashField(field: Array("b".utf8), value: Array("2".utf8))]
        var screens: [String] = []
        for fields in [tricky, plain] {
            var state = dashboard([InspectedLock(keyBytes: Array("lock:h".utf8), format: .unknownHash, type: "hash", hashFields: fields)])
            _ = state.handle(.enter)
            screens.append(render(state, width: 100, height: 30).text)
        }
        #expect(screens[0].contains("a=1\\nb=2"), "screen:\n\(screens[0])")
        #expect(screens[1].contains("a=1") && screens[1].contains("b=2") && !screens[1].contains("\\n"), "screen:\n\(screens[1])")
        #expect(screens[0] != screens[1], "two different hashes look alike")
    }
}
