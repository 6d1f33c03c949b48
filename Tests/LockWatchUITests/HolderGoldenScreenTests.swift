import Foundation
import Testing
@testable import LockWatchUI
import RedisLock

/// The golden screens of a per-holder force-release at 80×24: the read-write lock's detail
/// with a reader selected, and the confirmation for that reader (its token and owner full of
/// escape sequences, shown escaped) and for a fair lock's holder. Part of
/// ``GoldenScreenTests``, so `scripts/update-golden.sh` rewrites them too.
extension GoldenScreenTests {
    /// ``kindLocks`` with each holder of this library's locks carrying its stored record.
    static let holderLocks: [InspectedLock] = kindLocks.map { lock in
        var lock = lock
        guard lock.format == .lockwatch, var kind = lock.kind else { return lock }
        kind.holders = kind.holders.map { holder in
            var holder = holder
            if holder.value.isEmpty { holder.value = Array(#"{"v":1,"kind":"\#(kind.kind.rawValue)","token":"\#(holder.name)"}"#.utf8) }
            return holder
        }
        lock.kind = kind
        return lock
    }

    @Test(arguments: ["holder-detail-rw", "holder-confirm-rw", "holder-confirm-fair"])
    func holderScreenMatchesItsFixture(_ name: String) throws {
        let update = ProcessInfo.processInfo.environment["LOCKWATCH_UPDATE_GOLDEN"] == "1"
        let (width, height) = (80, 24)
        var state = dashboard(Self.holderLocks, width: width, height: height)
        let key = name.hasSuffix("fair") ? "lock:{payroll}" : "lock:{catalog}"
        for _ in Self.holderLocks where state.selectedLock?.key != key { _ = state.handle(.down) }
        _ = state.handle(.enter)
        // The rw lock's third reader (the hostile one), the fair lock's one holder.
        for _ in 0 ..< (name.hasSuffix("fair") ? 1 : 3) { _ = state.handle(.down) }
        if name.contains("confirm") {
            _ = state.handle(.character("f"))
            guard case .confirmHolderRelease = state.mode else {
                Issue.record("\(name): f did not ask (\(state.status?.text ?? ""))")
                return
            }
        }
        let actual = Self.text(of: render(state, width: width, height: height), height: height)
        let file = Self.fixtureDirectory.appendingPathComponent("\(name)-\(width)x\(height).txt")
        if update {
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        #expect(actual == (try String(contentsOf: file, encoding: .utf8)), "\(name) at \(width)×\(height):\n\(actual)")
        #expect(!actual.contains("\u{1b}") && !actual.contains("\u{07}"))
    }
}
