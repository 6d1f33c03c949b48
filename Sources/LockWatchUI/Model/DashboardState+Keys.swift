import RedisLock

extension DashboardState {
    /// Handles one key: changes the state and returns what the runner must do.
    ///
    /// `q` and Ctrl-C quit (in the help overlay, the detail view and the confirmations `q`
    /// closes instead; Ctrl-C always quits). In the detail view of a lock kind `↑` `↓` (`k`
    /// `j`) select a holder and `f` force-releases it after asking. The help overlay closes on `?`, F1, Esc or `q`;
    /// any other key closes it and then does what it does in the table, so none is lost.
    public mutating func handle(_ key: KeyPress) -> [DashboardCommand] {
        if key == .interrupt { return [.quit] }
        switch mode {
        case .normal: return handleNormal(key)
        case .help:
            mode = .normal
            switch key {
            case .character("?"), .character("q"), .escape, .function(1): return []
            default: return handleNormal(key)
            }
        case .filterEditing: return handleFilterEditing(key)
        case .detail: return handleDetail(key)
        case .confirmForceRelease(let lock): return handleConfirmation(key, lock: lock)
        case .confirmHolderRelease(let release): return handleHolderConfirmation(key, release)
        }
    }

    private mutating func handleNormal(_ key: KeyPress) -> [DashboardCommand] {
        if handleNavigation(key) { return [] }
        switch key {
        case .character("q"): return [.quit]
        case .character("?"), .function(1): mode = .help
        case .character("/"): mode = .filterEditing
        case .escape:
            if !filter.isEmpty {
                setFilter("")
                setStatus("filter cleared", .info)
            }
        case .character("s"): setSort(sortColumn.next, sortColumn.next.naturalDirection)
        case .character("S"): setSort(sortColumn, sortDirection.flipped)
        case .character("r"):
            setStatus("refreshing…", .info)
            return [.refreshNow]
        case .character("+"), .character("="): return changeInterval(longer: true)
        case .character("-"), .character("_"): return changeInterval(longer: false)
        case .character("p"): return togglePause()
        case .enter: openDetail()
        case .character("F"): requestForceRelease(of: selectedLock)
        case .character("!"): toggleAttention()
        case .character("a"): return watchAlsoSeen()
        default: break
        }
        return []
    }

    /// `!`: only the locks that need attention, worst first, the worst selected; again: all.
    private mutating func toggleAttention() {
        attentionOnly.toggle()
        table.showAttentionOnly(attentionOnly)
        if attentionOnly {
            select(position: 0)
            let count = visibleCount
            setStatus(count == 0 ? "nothing needs attention (! shows every lock)"
                : "\(count) lock\(count == 1 ? "" : "s") need\(count == 1 ? "s" : "") attention, worst first (! shows every lock)",
                count == 0 ? .success : .warning)
        } else {
            followSelectedKey()
            setStatus("showing every lock", .info)
        }
    }

    /// `a`: asks the runner to watch the "also seen" prefixes too.
    private mutating func watchAlsoSeen() -> [DashboardCommand] {
        guard !alsoSeen.isEmpty else {
            setStatus("no other lock prefixes seen to add", .info)
            return []
        }
        let prefixes = alsoSeen.map(\.prefix)
        setStatus("adding " + prefixes.map { TerminalText.sanitize($0) + "*" }.joined(separator: " ") + "…", .info)
        return [.watchPrefixes(prefixes)]
    }

    private mutating func handleFilterEditing(_ key: KeyPress) -> [DashboardCommand] {
        if handleNavigation(key, letters: false) { return [] }
        switch key {
        case .character(let character):
            setFilter(filter + String(character))
        case .backspace:
            if !filter.isEmpty { setFilter(String(filter.dropLast())) }
        case .enter:
            mode = .normal
        case .escape:
            mode = .normal
            setFilter("")
        default: break
        }
        return []
    }

    private mutating func handleDetail(_ key: KeyPress) -> [DashboardCommand] {
        switch key {
        case .escape, .enter, .character("q"): closeDetail()
        case .character("?"), .function(1):
            closeDetail()
            mode = .help
        case .character("r"): return [.refreshNow]
        case .character("p"): return togglePause()
        case .up, .character("k"): moveHolderSelection(by: -1)
        case .down, .character("j"): moveHolderSelection(by: 1)
        case .character("f"): requestHolderRelease()
        case .character("F"):
            // Only a row the table lists: a lock gone from the last scan is not offered.
            guard detailPresent else {
                setStatus("no longer listed (released, expired or filtered out): nothing to force-release", .warning)
                return []
            }
            requestForceRelease(of: detailLock)
        default: break
        }
        return []
    }

    private mutating func handleConfirmation(_ key: KeyPress, lock: InspectedLock) -> [DashboardCommand] {
        switch key {
        case .character("y"), .character("Y"):
            mode = .normal
            setStatus("force-releasing \(TerminalText.sanitize(lock.keyBytes))…", .info)
            return [.forceRelease(lock)]
        case .character("n"), .character("N"), .character("q"), .escape:
            mode = .normal
            setStatus("force-release cancelled", .info)
        default: break
        }
        return []
    }

    /// Handles the movement keys; returns whether `key` was one.
    private mutating func handleNavigation(_ key: KeyPress, letters: Bool = true) -> Bool {
        switch key {
        case .up: moveSelection(by: -1)
        case .down: moveSelection(by: 1)
        case .pageUp: moveSelection(by: -pageSize)
        case .pageDown: moveSelection(by: pageSize)
        case .home: select(position: 0)
        case .end: select(position: visibleCount - 1)
        case .character("k") where letters: moveSelection(by: -1)
        case .character("j") where letters: moveSelection(by: 1)
        case .character("g") where letters: select(position: 0)
        case .character("G") where letters: select(position: visibleCount - 1)
        default: return false
        }
        return true
    }

    private mutating func setFilter(_ text: String) {
        filter = text
        table.refilter(text)
        followSelectedKey()
    }

    private mutating func setSort(_ column: SortColumn, _ direction: SortDirection) {
        sortColumn = column
        sortDirection = direction
        table.rebuild(sort: column, direction: direction, filter: filter)
        followSelectedKey()
        let arrow = direction == .ascending ? "ascending" : "descending"
        setStatus("sorted by \(column.rawValue), \(arrow)", .info)
    }

    private mutating func changeInterval(longer: Bool) -> [DashboardCommand] {
        let next = longer ? RefreshInterval.longer(than: interval) : RefreshInterval.shorter(than: interval)
        guard let next else {
            setStatus("already refreshing as \(longer ? "slowly" : "fast") as it can (every \(ValueFormat.interval(interval)))", .warning)
            return []
        }
        interval = next
        let slowed = effectiveInterval > next ? " (slowed to the scan time: \(ValueFormat.interval(effectiveInterval)))" : ""
        setStatus("refreshing \(longer ? "slower" : "faster"): every \(ValueFormat.interval(next))\(slowed)", .info)
        return [.setInterval(next)]
    }

    private mutating func togglePause() -> [DashboardCommand] {
        paused.toggle()
        setStatus(paused ? "paused: press p to resume" : "resumed", .info)
        return [.setPaused(paused)]
    }

    private mutating func openDetail() {
        guard let lock = selectedLock else { return }
        mode = .detail(key: lock.keyBytes)
        detailLock = lock
        detailPresent = true
        selectedHolder = nil
    }

    private mutating func closeDetail() {
        mode = .normal
        detailLock = nil
        selectedHolder = nil
    }

    private mutating func requestForceRelease(of lock: InspectedLock?) {
        guard !readOnly else {
            setStatus("read-only mode: force-release is disabled", .warning)
            return
        }
        guard let lock else {
            setStatus("no lock selected", .warning)
            return
        }
        detailLock = nil
        selectedHolder = nil
        mode = .confirmForceRelease(lock)
    }

    /// Shows `text` (already sanitized) in the status line.
    mutating func setStatus(_ text: String, _ severity: StatusMessage.Severity) {
        status = StatusMessage(text: text, severity: severity, since: now)
    }
}
