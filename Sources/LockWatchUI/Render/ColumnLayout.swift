/// A column of the lock table.
enum TableColumn: CaseIterable, Sendable {
    case key, attention, owner, token, ttl, held, fence, waiters, rate, nodes, format

    /// The title in the column header.
    var title: String {
        switch self {
        case .key: "KEY"
        case .attention: "ATTENTION"
        case .owner: "OWNER"
        case .token: "TOKEN"
        case .ttl: "TTL"
        case .held: "HELD"
        case .fence: "FENCE"
        case .waiters: "WAITERS"
        case .rate: "ACQ/s"
        case .nodes: "NODES"
        case .format: "FORMAT"
        }
    }

    /// The width the column gets when there is room and its content is not known.
    var preferredWidth: Int {
        switch self {
        case .key: 20
        case .attention: 16
        case .owner: 16
        case .token: 8
        case .ttl: 12
        case .held: 7
        case .fence: 8
        case .waiters: 8
        case .rate: 6
        case .nodes: 6
        case .format: 17
        }
    }

    /// The narrowest the column may get before it is dropped instead.
    var minimumWidth: Int {
        switch self {
        case .key: 1
        case .owner, .token, .attention: 8
        default: preferredWidth
        }
    }

    /// The widest a column sized by its content gets (KEY: none, it takes what is left).
    var contentCap: Int? {
        switch self {
        case .owner: 32
        case .token: 36
        case .attention: 28
        default: nil
        }
    }

    /// The width the column wants when its widest value on screen is `content` columns.
    func wantedWidth(content: Int?) -> Int {
        guard let cap = contentCap, let content else { return preferredWidth }
        return min(cap, max(content, title.count))
    }

    /// Higher is kept longer when the terminal is narrow.
    var keepRank: Int {
        switch self {
        case .key: 100
        case .attention: 50
        case .ttl: 9
        case .waiters: 8
        case .owner: 7
        case .rate: 6
        case .held: 5
        case .nodes: 4
        case .token: 3
        case .fence: 2
        case .format: 1
        }
    }

    /// Numbers are right-aligned.
    var alignment: TextAlignment {
        switch self {
        case .ttl, .held, .fence, .waiters, .rate, .nodes: .right
        case .key, .attention, .owner, .token, .format: .left
        }
    }

    /// The sort column this table column shows, if any.
    var sortColumn: SortColumn? {
        switch self {
        case .key: .key
        case .ttl: .ttl
        case .held: .age
        case .waiters: .waiters
        case .rate: .acquisitionsPerSecond
        default: nil
        }
    }
}

/// Where each shown column sits for one terminal width: the most important columns that fit,
/// one space apart. OWNER, TOKEN and ATTENTION are as wide as their widest value on screen (up
/// to a cap); KEY gets up to 28 columns first and the rest of the slack after them, up to its
/// widest key (longer keys are shortened in the middle); what is left stays blank on the right.
struct ColumnLayout: Equatable, Sendable {
    /// One shown column.
    struct Placement: Equatable, Sendable {
        var column: TableColumn
        var x: Int
        var width: Int
    }

    /// KEY grows to this width (or its longest key; the Go lock's `DUSEPK_REDIS_LOCK_order_sync` fits) before OWNER and TOKEN grow.
    static let comfortableKeyWidth = 28

    /// The shown columns, left to right.
    private(set) var placements: [Placement] = []

    /// Lays out the columns for `width`; the NODES column only when `showingNodes`, the
    /// ATTENTION column only when `showingAttention`. `content` holds the widest value on
    /// screen per column (display columns); a column missing from it gets its preferred width.
    init(width: Int, showingNodes: Bool = false, showingAttention: Bool = false, content: [TableColumn: Int] = [:]) {
        guard width > 0 else { return }
        // Narrow, the key (the one column that tells rows apart) keeps up to half the width;
        // with a quarter, 40 columns cut every `lock:{orders:N}` to the same `lock:{orde…`.
        let keyContent = content[.key].map { max($0, TableColumn.key.title.count) }
        let keyTarget = min(keyContent ?? TableColumn.key.preferredWidth, 24, max(8, width / 2))
        var widths: [TableColumn: Int] = [:]
        var used = min(keyTarget, width)
        let candidates = TableColumn.allCases.filter { column in
            column != .key && (showingNodes || column != .nodes) && (showingAttention || column != .attention)
        }.sorted { $0.keepRank > $1.keepRank }
        // Which columns are shown is decided at their preferred widths (a content-sized one
        // at most that), so long owners or tokens never push FORMAT or FENCE off the screen…
        for column in candidates {
            let wanted = min(column.wantedWidth(content: content[column]), max(column.preferredWidth, column.title.count))
            if used + 1 + wanted <= width {
                widths[column] = wanted
                used += 1 + wanted
            } else if used + 1 + min(wanted, column.minimumWidth) <= width {
                let narrowed = min(wanted, width - used - 1)
                widths[column] = narrowed
                used += 1 + narrowed
            }
        }
        // …then the slack goes to KEY up to 28 columns (most keys, whole), to ATTENTION, OWNER
        // and TOKEN up to what their values need, and last to KEY up to its longest key.
        var slack = max(0, width - used)
        var key = min(keyTarget, width)
        if let keyContent {
            let grow = min(slack, max(0, min(keyContent, Self.comfortableKeyWidth) - key))
            key += grow
            slack -= grow
        }
        for column in [TableColumn.attention, .owner, .token] {
            guard let current = widths[column], slack > 0 else { continue }
            let grow = min(slack, max(0, column.wantedWidth(content: content[column]) - current))
            widths[column] = current + grow
            slack -= grow
        }
        widths[.key] = keyContent.map { key + min(slack, max(0, $0 - key)) } ?? key + slack
        var x = 0
        for column in TableColumn.allCases {
            guard let columnWidth = widths[column], columnWidth > 0 else { continue }
            placements.append(Placement(column: column, x: x, width: columnWidth))
            x += columnWidth + 1
        }
    }

    /// Whether `column` is shown.
    func contains(_ column: TableColumn) -> Bool {
        placements.contains { $0.column == column }
    }
}
