import LockWatchUI
import RedisLock

/// The plain-text table `list` and `release` print: every cell sanitized and padded by
/// display width, so wide characters keep the columns aligned.
enum PlainLockTable {
    static let headers = ["KEY", "FORMAT", "OWNER", "TOKEN", "TTL", "HELD", "FENCE", "WAITERS"]

    /// The table; a NODES column (the cluster node, or a Redlock lock's "held on / of" nodes)
    /// when any lock came from several servers.
    static func render(_ locks: [InspectedLock], serverTime: Int64, conditions: ScanConditions = ScanConditions()) -> String {
        guard !locks.isEmpty else { return "" }
        let layout = Layout(firstRows: locks, serverTime: serverTime, conditions: conditions)
        var output = layout.line(headers + (layout.showsNodes ? ["NODES"] : []))
        for lock in locks { output += layout.line(cells(lock, serverTime: serverTime, showsNodes: layout.showsNodes, conditions: conditions)) }
        return output
    }

    /// Whether `lock` is one of this library's (it has a wake-up channel) whose waiters could
    /// not be counted: shown as unknown, not 0.
    static func waitersUnknown(_ lock: InspectedLock, _ conditions: ScanConditions) -> Bool {
        conditions.waitersUnknown && lock.waiters == nil && lock.format == .lockwatch
    }

    /// One lock's cells, sanitized: the age marked `*` when it is from this machine's clock,
    /// the waiters `?` when unknown.
    static func cells(_ lock: InspectedLock, serverTime: Int64, showsNodes: Bool, conditions: ScanConditions = ScanConditions()) -> [String] {
        var row = [
            TerminalText.sanitize(lock.keyBytes),
            KindColumns.formatCell(lock),
            TerminalText.sanitize(lock.owner ?? "-"),
            TerminalText.sanitize(String((lock.token ?? "-").prefix(12))),
            lock.ttlMilliseconds.map(formatMilliseconds) ?? "none (stuck)",
            lock.ageMilliseconds(at: serverTime).map { formatMilliseconds($0) + (conditions.clockIsLocal ? "*" : "") } ?? "-",
            lock.fence.map { String($0) } ?? "-",
            waitersUnknown(lock, conditions) ? "?" : lock.waiters.map { String($0) } ?? "-",
        ]
        if showsNodes { row.append(TerminalText.sanitize(lock.placement?.summary ?? "-")) }
        return row
    }

    /// Column widths taken from some rows (all of them, or the first window of a stream).
    struct Layout: Sendable {
        /// Whether there is a NODES column.
        let showsNodes: Bool
        let widths: [Int]

        init(firstRows locks: [InspectedLock], serverTime: Int64, conditions: ScanConditions = ScanConditions()) {
            showsNodes = locks.contains { $0.placement != nil }
            var widths = (headers + (showsNodes ? ["NODES"] : [])).map { TerminalText.displayWidth($0) }
            for lock in locks {
                for (column, cell) in cells(lock, serverTime: serverTime, showsNodes: showsNodes, conditions: conditions).enumerated() {
                    widths[column] = max(widths[column], TerminalText.displayWidth(cell))
                }
            }
            self.widths = widths
        }

        /// The cells padded to the widths, two spaces apart, without trailing spaces.
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { column, cell in
                cell + String(repeating: " ", count: max(0, widths[column] - TerminalText.displayWidth(cell)))
            }
            var line = padded.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line + "\n"
        }
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
