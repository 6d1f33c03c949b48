/// A column of the lock table.
enum TableColumn: CaseIterable, Sendable {
    case key, owner, token, ttl, held, fence, waiters, rate, nodes, format

    /// The title in the column header.
    var title: String {
        switch self {
        case .key: "KEY"
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

    /// The width the column gets when there is room.
    var preferredWidth: Int {
        switch self {
        case .key: 20
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
        case .owner: 8
        default: preferredWidth
        }
    }

    /// Higher is kept longer when the terminal is narrow.
    var keepRank: Int {
        switch self {
        case .key: 100
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
        case .key, .owner, .token, .format: .left
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

/// Where each shown column sits for one terminal width: the most important columns that fit
/// at their preferred width, one space apart, KEY taking all the slack.
struct ColumnLayout: Equatable, Sendable {
    /// One shown column.
    struct Placement: Equatable, Sendable {
        var column: TableColumn
        var x: Int
        var width: Int
    }

    /// The shown columns, left to right.
    private(set) var placements: [Placement] = []

    /// Lays out the columns for `width`; the NODES column only when `showingNodes`.
    init(width: Int, showingNodes: Bool = false) {
        guard width > 0 else { return }
        // Narrow, the key (the one column that tells rows apart) keeps up to half the width;
        // with a quarter, 40 columns cut every `lock:{orders:N}` to the same `lock:{orde…`.
        let keyTarget = min(TableColumn.key.preferredWidth, max(8, width / 2))
        var widths: [TableColumn: Int] = [:]
        var used = min(keyTarget, width)
        let candidates = TableColumn.allCases.filter { $0 != .key && (showingNodes || $0 != .nodes) }.sorted { $0.keepRank > $1.keepRank }
        for column in candidates {
            if used + 1 + column.preferredWidth <= width {
                widths[column] = column.preferredWidth
                used += 1 + column.preferredWidth
            } else if used + 1 + column.minimumWidth <= width {
                let narrowed = min(column.preferredWidth, width - used - 1)
                widths[column] = narrowed
                used += 1 + narrowed
            }
        }
        let others = widths.values.reduce(0, +) + widths.count
        widths[.key] = max(0, width - others)
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
