import LockWatchUI
import RedisLock

/// The plain-text table `list` and `release` print: every cell sanitized and padded by
/// display width, so wide characters keep the columns aligned.
enum PlainLockTable {
    static let headers = ["KEY", "FORMAT", "OWNER", "TOKEN", "TTL", "HELD", "FENCE", "WAITERS"]

    /// The table; a NODES column (the cluster node, or a Redlock lock's "held on / of" nodes)
    /// when any lock came from several servers.
    static func render(_ locks: [InspectedLock], serverTime: Int64) -> String {
        guard !locks.isEmpty else { return "" }
        let showsNodes = locks.contains { $0.placement != nil }
        let headers = headers + (showsNodes ? ["NODES"] : [])
        let rows = locks.map { lock in
            var row = [
                TerminalText.sanitize(lock.keyBytes),
                lock.format.rawValue,
                TerminalText.sanitize(lock.owner ?? "-"),
                TerminalText.sanitize(String((lock.token ?? "-").prefix(12))),
                lock.ttlMilliseconds.map(formatMilliseconds) ?? "none (stuck)",
                lock.ageMilliseconds(at: serverTime).map(formatMilliseconds) ?? "-",
                lock.fence.map { String($0) } ?? "-",
                lock.waiters.map { String($0) } ?? "-",
            ]
            if showsNodes { row.append(TerminalText.sanitize(lock.placement?.summary ?? "-")) }
            return row
        }
        var widths = headers.map { TerminalText.displayWidth($0) }
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], TerminalText.displayWidth(cell)) }
        }
        var output = ""
        for row in [headers] + rows {
            let cells = row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - TerminalText.displayWidth(cell))
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            output += line + "\n"
        }
        return output
    }

    /// `850ms`, `12.3s`, `4m05s`, `2h03m`.
    static func formatMilliseconds(_ milliseconds: Int64) -> String {
        switch milliseconds {
        case ..<1000: return "\(milliseconds)ms"
        case ..<60_000: return String(Double(milliseconds / 100) / 10) + "s"
        case ..<3_600_000: return "\(milliseconds / 60_000)m" + String(format2: (milliseconds / 1000) % 60) + "s"
        default: return "\(milliseconds / 3_600_000)h" + String(format2: (milliseconds / 60_000) % 60) + "m"
        }
    }
}

extension String {
    /// Two digits, zero-padded.
    init(format2 value: Int64) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
