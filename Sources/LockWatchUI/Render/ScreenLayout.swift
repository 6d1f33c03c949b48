/// Which screen rows hold what. On short terminals the least important parts go first (extra
/// event lines, the second header line, the event strip, the footer, the status line, the
/// column header, the banner, the first header line) so the table keeps at least one row.
/// The table takes no more rows than it has locks: the event strip gets the rest, so no blank
/// rows sit between the two.
struct ScreenLayout: Equatable {
    /// The first header line (endpoint, user, mode, interval, filter).
    var header: Int?
    /// The second header line (counts, scan cost, connection).
    var summary: Int?
    /// The "connection lost" banner.
    var banner: Int?
    /// The column titles.
    var columnHeader: Int?
    /// The table rows.
    var table: Range<Int>
    /// The event strip.
    var events: Range<Int>
    /// The status line.
    var status: Int?
    /// The key hints.
    var footer: Int?

    private enum Part: CaseIterable {
        case header, summary, banner, columnHeader, table, firstEvent, moreEvents, status, footer

        /// Lower goes first when rows run short.
        var keepRank: Int {
            switch self {
            case .moreEvents: 1
            case .summary: 2
            case .firstEvent: 3
            case .footer: 4
            case .status: 5
            case .columnHeader: 6
            case .banner: 7
            case .header: 8
            case .table: 99
            }
        }
    }

    init(state: DashboardState, height: Int) {
        let stripLines = state.shownEvents.count + (state.alsoSeen.isEmpty ? 0 : 1)
        let extraEvents = max(0, min(5, stripLines, (height - 10) / 4) - 1)
        var lines: [Part: Int] = [
            .header: 1, .summary: 1, .banner: state.connection.isReconnecting ? 1 : 0,
            .columnHeader: 1, .firstEvent: 1, .moreEvents: extraEvents, .status: 1, .footer: 1,
        ]
        let byRank = Part.allCases.filter { $0 != .table }.sorted { $0.keepRank < $1.keepRank }
        var fixed = lines.values.reduce(0, +)
        for part in byRank where fixed + 1 > height {
            fixed -= lines[part] ?? 0
            lines[part] = 0
        }
        var tableRows = max(0, height - fixed)
        if lines[.firstEvent] == 1 {
            // Rows the table does not need go to the event strip, right below it.
            let needed = max(1, state.visibleCount)
            if tableRows > needed {
                lines[.moreEvents, default: 0] += tableRows - needed
                tableRows = needed
            }
        }
        var row = 0
        func take(_ part: Part) -> Range<Int> {
            let count = part == .table ? tableRows : (lines[part] ?? 0)
            defer { row += count }
            return row..<(row + count)
        }
        func single(_ part: Part) -> Int? {
            let range = take(part)
            return range.isEmpty ? nil : range.lowerBound
        }
        header = single(.header)
        summary = single(.summary)
        banner = single(.banner)
        columnHeader = single(.columnHeader)
        table = take(.table)
        let first = take(.firstEvent)
        let more = take(.moreEvents)
        events = first.isEmpty ? more : first.lowerBound..<more.upperBound
        status = single(.status)
        footer = single(.footer)
    }
}
