import Foundation

/// Collects rounds of (ours, peer) measurements and prints medians with ratios.
struct ResultTable {
    private var rows: [(name: String, peerName: String, ours: [Measurement], peer: [Measurement])] = []

    mutating func add(_ name: String, ours: Measurement, peer: Measurement, peerName: String) {
        if let index = rows.firstIndex(where: { $0.name == name }) {
            rows[index].ours.append(ours)
            rows[index].peer.append(peer)
        } else {
            rows.append((name, peerName, [ours], [peer]))
        }
        print(String(format: "  %@: ours %.0f/s, %@ %.0f/s, ratio %.2f",
                     name, ours.operationsPerSecond, peerName, peer.operationsPerSecond,
                     ours.operationsPerSecond / peer.operationsPerSecond))
    }

    func render() -> String {
        var lines = [
            "| case | ours (cmd/s) | p50 / p99 µs | reference | reference (cmd/s) | p50 / p99 µs | ratio (median of rounds) |",
            "| --- | ---: | ---: | --- | ---: | ---: | ---: |",
        ]
        for row in rows {
            let ours = median(row.ours.map(\.operationsPerSecond))
            let peer = median(row.peer.map(\.operationsPerSecond))
            let ratios = zip(row.ours, row.peer).map { $0.operationsPerSecond / $1.operationsPerSecond }
            lines.append(String(
                format: "| %@ | %.0f | %.0f / %.0f | %@ | %.0f | %.0f / %.0f | %.2fx |",
                row.name, ours, median(row.ours.map(\.p50Microseconds)), median(row.ours.map(\.p99Microseconds)),
                row.peerName, peer, median(row.peer.map(\.p50Microseconds)), median(row.peer.map(\.p99Microseconds)),
                median(ratios)))
        }
        return lines.joined(separator: "\n")
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
