import Testing
@testable import LockWatchUI
import RedisLock

/// The dashboard on a cluster or a Redlock set: the NODES column, its colours, the detail
/// view's per-node copies, a partial scan and a partial force-release in the status line.
@Suite struct SeveralServersRenderTests {
    func redlockLock(_ key: String, copies: [(node: Int, token: String)], nodeCount: Int = 3) -> InspectedLock {
        var row = lock(key, token: copies[0].token)
        row.placement = .copies(RedlockCopies(nodeCount: nodeCount, copies: copies.map { copy in
            RedlockCopies.Copy(
                node: copy.node, address: "10.0.0.\(copy.node + 1):6379", value: Array("v-\(copy.token)".utf8),
                token: copy.token, ttlMilliseconds: 30_000, fence: Int64(copy.node + 10))
        }))
        return row
    }

    func severalServers(_ locks: [InspectedLock], unreachable: [String] = []) -> DashboardState {
        var state = DashboardState(endpoint: "Redlock set of 3", watchesSeveralServers: true, now: t0)
        state.resize(width: 140, height: 30)
        var scan = snapshot(locks)
        scan.unreachableNodes = unreachable
        state.apply(snapshot: scan, at: t0)
        return state
    }

    @Test func nodesColumnShowsHeldOfTotalAndFlagsDisagreementAndMissingQuorum() {
        let state = severalServers([
            redlockLock("lock:{agree}", copies: [(0, "t1"), (1, "t1"), (2, "t1")]),
            redlockLock("lock:{split}", copies: [(0, "t1"), (1, "t1"), (2, "t2")]),
            redlockLock("lock:{minority}", copies: [(2, "t3")]),
        ])
        let grid = render(state, width: 140, height: 30)
        let titleRow = grid.rows(containing: "NODES").first
        #expect(titleRow != nil, "no NODES column")
        func nodesCell(_ key: String) -> (text: String, style: CellStyle)? {
            guard let row = grid.rows(containing: key).first, let titleRow else { return nil }
            let title = grid.line(titleRow)
            let start = title.distance(from: title.startIndex, to: title.range(of: "NODES")!.lowerBound)
            // Right-aligned: the title and the cell both end at the column's last cell.
            let end = start + "NODES".count - 1
            let text = String(grid.line(row).dropFirst(end - 5).prefix(6)).trimmingCharacters(in: .whitespaces)
            return (text, grid[row: row, column: end].style)
        }
        #expect(nodesCell("lock:{agree}")?.text == "3/3")
        #expect(nodesCell("lock:{agree}")?.style.foreground == .standard)
        #expect(nodesCell("lock:{split}")?.text == "3/3≠")
        #expect(nodesCell("lock:{split}")?.style.foreground == .yellow)
        #expect(nodesCell("lock:{minority}")?.text == "1/3")
        #expect(nodesCell("lock:{minority}")?.style.foreground == .red)
    }

    @Test func oneServerHasNoNodesColumn() {
        let grid = render(dashboard([lock("lock:a")]), width: 140, height: 30)
        #expect(!grid.text.contains("NODES"))
    }

    @Test func clusterRowsShowTheirNodesPort() {
        var row = lock("lock:{orders:1}")
        row.placement = .node("10.0.0.2:7002")
        let grid = render(severalServers([row]), width: 140, height: 30)
        #expect(grid.line(grid.rows(containing: "lock:{orders:1}").first!).contains(":7002"))
    }

    @Test func detailListsEveryCopyAndNamesOtherHolders() {
        var state = severalServers([redlockLock("lock:{split}", copies: [(0, "t1"), (1, "t1"), (2, "t2")])])
        _ = state.handle(.enter)
        let text = render(state, width: 140, height: 30).text
        #expect(text.contains("held on 3 of 3; quorum 2 held; DIFFERENT HOLDERS"))
        #expect(text.contains("10.0.0.1:6379  ttl 30s fence 10"))
        #expect(text.contains("10.0.0.3:6379  ttl 30s fence 12  other holder: t2"))
    }

    @Test func unreachableNodesAndPartialReleasesReachTheStatusLine() {
        var state = severalServers([redlockLock("lock:{a}", copies: [(0, "t1"), (1, "t1")])], unreachable: ["10.0.0.3:6379: connection refused"])
        #expect(state.status?.text.contains("not answering: 10.0.0.3:6379: connection refused") == true)
        let target = state.selectedLock!
        state.apply(forceReleaseOutcome: .releasedCopies(released: 1, held: 2, others: ["10.0.0.2:6379: changed hands"]), for: target)
        #expect(state.status?.text == "released lock:{a} on 1 of 2 nodes (audit entry on each); 10.0.0.2:6379: changed hands")
        #expect(state.status?.severity == .warning)
    }
}
