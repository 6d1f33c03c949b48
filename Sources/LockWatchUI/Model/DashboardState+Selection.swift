extension DashboardState {
    /// How many table rows fit on screen at the current size.
    var pageSize: Int {
        max(1, ScreenLayout(state: self, height: height).table.count)
    }

    /// Moves the selection by `delta` rows (clamped to the table).
    mutating func moveSelection(by delta: Int) {
        select(position: selectedPosition + delta)
    }

    /// Selects the row at display position `position` (clamped to the table).
    mutating func select(position: Int) {
        guard visibleCount > 0 else {
            selectedPosition = 0
            scrollOffset = 0
            return
        }
        selectedPosition = min(max(0, position), visibleCount - 1)
        selectedKey = table.lock(at: selectedPosition)?.keyBytes
        keepSelectionVisible()
    }

    /// After the order changed: finds the selected key again (htop's follow); when it is gone
    /// the selection stays at the same position.
    mutating func followSelectedKey() {
        guard visibleCount > 0 else {
            selectedPosition = 0
            scrollOffset = 0
            return
        }
        if let selectedKey, let position = table.position(ofKey: selectedKey) {
            selectedPosition = position
        } else {
            selectedPosition = min(max(0, selectedPosition), visibleCount - 1)
            selectedKey = table.lock(at: selectedPosition)?.keyBytes
        }
        keepSelectionVisible()
    }

    /// Scrolls as little as possible so the selected row is on screen.
    mutating func keepSelectionVisible() {
        scrollOffset = Self.scrollOffset(
            current: scrollOffset, selected: selectedPosition, count: visibleCount, page: pageSize
        )
    }

    /// The first row to show so that `selected` is visible, starting from `current`.
    static func scrollOffset(current: Int, selected: Int, count: Int, page: Int) -> Int {
        guard count > 0, page > 0 else { return 0 }
        var offset = current
        if selected < offset { offset = selected }
        if selected >= offset + page { offset = selected - page + 1 }
        return min(max(0, offset), max(0, count - page))
    }
}

extension DashboardState {
    /// The keys of the rows on screen now (and of the one in the detail view).
    var onScreenKeys: [[UInt8]] {
        var keys = (scrollOffset ..< scrollOffset + pageSize).compactMap { table.lock(at: $0)?.keyBytes }
        if let key = detailKey, !keys.contains(key) { keys.append(key) }
        return keys
    }
}
