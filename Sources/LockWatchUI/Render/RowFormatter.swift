import RedisLock

/// Turns one lock into the text and colour of each table cell. Only called for rows on screen.
enum RowFormatter {
    /// What `NO TTL` looks like in a column at least this wide.
    static let stuckLabel = "none (stuck)"
    /// What it looks like in a narrower one.
    static let shortStuckLabel = "STUCK"

    /// The text and style of `column` for `lock`, `width` columns wide.
    static func cell(_ column: TableColumn, of lock: InspectedLock, width: Int, state: DashboardState) -> TextSegment {
        switch column {
        case .key:
            return TextSegment(ValueFormat.middle(TerminalText.sanitize(lock.keyBytes), columns: width))
        case .attention:
            return TextSegment("")  // drawn by the renderer, which knows the row's position
        case .owner:
            return lock.owner.map { TextSegment(ValueFormat.prefix(TerminalText.sanitize($0), columns: width)) } ?? TextSegment("–", CellStyle(dim: true))
        case .token:
            guard let token = lock.token else { return TextSegment("–", CellStyle(dim: true)) }
            return TextSegment(ValueFormat.prefix(TerminalText.sanitize(String(token.prefix(64))), columns: width))
        case .ttl:
            return ttl(of: lock, width: width, state: state)
        case .held:
            return state.liveAgeMilliseconds(of: lock).map { TextSegment(ValueFormat.duration(milliseconds: $0)) }
                ?? TextSegment("–", CellStyle(dim: true))
        case .fence:
            return lock.fence.map { TextSegment("\($0)") } ?? TextSegment("–", CellStyle(dim: true))
        case .waiters:
            guard let waiters = lock.waiters else { return TextSegment("–", CellStyle(dim: true)) }
            return TextSegment("\(waiters)", waiters > 0 ? CellStyle(foreground: .yellow, bold: true) : .plain)
        case .rate:
            return lock.acquisitionsPerSecond.map { TextSegment(ValueFormat.rate($0)) }
                ?? TextSegment("–", CellStyle(dim: true))
        case .nodes:
            return nodes(of: lock)
        case .format:
            let unknown = lock.format == .unknownString || lock.format == .unknownHash || lock.format == .other
            return TextSegment(ValueFormat.prefix(lock.formatLabel, columns: width), unknown ? CellStyle(dim: true) : .plain)
        }
    }

    /// How wide `column`'s text is for `lock` before it is cut (KEY, OWNER and TOKEN: the
    /// columns sized by their content).
    static func contentWidth(_ column: TableColumn, of lock: InspectedLock) -> Int? {
        switch column {
        case .key: TerminalText.displayWidth(TerminalText.sanitize(lock.keyBytes))
        case .owner: lock.owner.map { TerminalText.displayWidth(TerminalText.sanitize($0)) } ?? 1
        case .token: lock.token.map { TerminalText.displayWidth(TerminalText.sanitize(String($0.prefix(64)))) } ?? 1
        default: nil
        }
    }

    /// Where the lock lives: a cluster node's port, or a Redlock lock's "held on / of" nodes,
    /// red without a quorum and yellow when the copies disagree.
    static func nodes(of lock: InspectedLock) -> TextSegment {
        switch lock.placement {
        case nil:
            return TextSegment("–", CellStyle(dim: true))
        case .node(let address):
            let port = address.split(separator: ":").last.map { ":" + $0 } ?? address
            return TextSegment(TerminalText.sanitize(String(port)))
        case .copies(let copies):
            let style: CellStyle = if !copies.hasQuorum {
                CellStyle(foreground: .red, bold: true)
            } else if !copies.holdersAgree {
                CellStyle(foreground: .yellow, bold: true)
            } else {
                .plain
            }
            return TextSegment(copies.summary, style)
        }
    }

    /// The live TTL, coloured: green while plenty is left, yellow under 5 s, red under 20 % of
    /// the longest TTL seen for the key, magenta and bold when there is none (a stuck lock).
    static func ttl(of lock: InspectedLock, width: Int, state: DashboardState) -> TextSegment {
        guard let remaining = state.liveTTLMilliseconds(of: lock) else {
            let label = width >= stuckLabel.count ? stuckLabel : shortStuckLabel
            return TextSegment(label, CellStyle(foreground: .magenta, bold: true))
        }
        return TextSegment(ValueFormat.duration(milliseconds: remaining), CellStyle(foreground: ttlColor(remaining, ceiling: state.ttlCeiling(forKey: lock.keyBytes))))
    }

    /// The colour of a TTL of `remaining` ms on a key whose longest TTL seen is `ceiling`.
    static func ttlColor(_ remaining: Int64, ceiling: Int64?) -> TerminalColor {
        if let ceiling, ceiling > 0, remaining * 5 < ceiling { return .red }
        if remaining < 5000 { return .yellow }
        return .green
    }
}
