import Glibc
import RedisLock

/// The rows of the latest scan plus the cached order in which they are shown (filtered and
/// sorted). Sorting and filtering run only when the data, the sort or the filter change;
/// moving the selection or drawing a frame never touches more than the visible rows, and
/// finding a key is a hash lookup.
struct LockTable: Sendable {
    /// The rows of the latest scan, in scan order.
    private(set) var locks: [InspectedLock] = []
    /// Indices into ``locks`` of the rows shown, in display order.
    private(set) var order: [Int] = []
    /// The sort and filter ``order`` was built with.
    private(set) var sortColumn: SortColumn = .waiters
    private(set) var sortDirection: SortDirection = .descending
    private(set) var filter = ""
    /// Whether ``order`` shows only the rows that need attention, worst first.
    private(set) var attentionOnly = false

    /// Every row in the current sort, filtered or not.
    private var sortedRows: [Int] = []
    /// Display position of each row (`-1` when filtered out).
    private var positions: [Int] = []
    /// Row indices in bytewise key order, for finding a key by binary search: at 100,000 rows
    /// a dictionary from key to row cost 6 MB, this 0.8 MB.
    private var rowsByKey: [Int] = []
    // Sort keys, extracted once per scan so that sorting compares plain numbers.
    private var keyRanks: [Int] = []
    private var waiters: [Int] = []
    private var rates: [Double] = []
    private var ttls: [Int64] = []
    private var ages: [Int64] = []
    /// Why each row needs attention (empty: it does not), and its severity.
    private var attention: [Attention] = []
    /// The rows that need attention, worst first.
    private var attentionRows: [Int] = []
    /// The lower-cased filter ``order`` was built with.
    private var orderNeedle: [UInt8] = []
    /// How many full sorts have run (tests check that moving and drawing never sort).
    private(set) var sortCount = 0
    /// How many times rows were filtered (full or incremental).
    private(set) var filterCount = 0

    init() {}

    /// Indexes, sorts and filters `locks` (the expensive part of a scan; runs off the UI loop).
    init(
        locks: [InspectedLock], serverTimeMilliseconds: Int64, sort: SortColumn, direction: SortDirection, filter: String,
        attention: [Attention] = [], attentionOnly: Bool = false
    ) {
        self.locks = locks
        self.attention = attention.count == locks.count ? attention : []
        self.attentionOnly = attentionOnly
        rowsByKey = locks.indices.sorted { Self.compare(locks[$0].keyBytes, locks[$1].keyBytes) < 0 }
        keyRanks = Array(repeating: 0, count: locks.count)
        for (rank, row) in rowsByKey.enumerated() {
            keyRanks[row] = rank
        }
        waiters = locks.map { $0.waiters ?? -1 }
        rates = locks.map { lock in lock.acquisitionsPerSecond.flatMap { $0.isFinite ? $0 : nil } ?? -1 }
        ttls = locks.map { $0.ttlMilliseconds ?? .max }
        ages = locks.map { $0.ageMilliseconds(at: serverTimeMilliseconds) ?? -1 }
        let attention = self.attention
        let ranks = keyRanks
        attentionRows = attention.indices.filter { !attention[$0].reasons.isEmpty }.sorted { a, b in
            let (left, right) = (attention[a].severity, attention[b].severity)
            return left != right ? left > right : ranks[a] < ranks[b]
        }
        rebuild(sort: sort, direction: direction, filter: filter)
    }

    /// Filters every row; sorts them all only when the sort changed (the full order is kept,
    /// so widening a filter at 100,000 rows costs one pass, not a sort).
    mutating func rebuild(sort: SortColumn, direction: SortDirection, filter: String) {
        if sortedRows.count != locks.count || sort != sortColumn || direction != sortDirection {
            sortAll(sort: sort, direction: direction)
        }
        let needle = Self.needle(filter)
        let rows = attentionOnly ? attentionRows : sortedRows
        if needle.isEmpty {
            order = rows
        } else {
            order = filtered(rows, needle)
            filterCount += 1
        }
        self.filter = filter
        orderNeedle = needle
        updatePositions()
    }

    private mutating func sortAll(sort: SortColumn, direction: SortDirection) {
        let sign: Double = direction == .ascending ? 1 : -1
        var records = locks.indices.map { index in
            SortRecord(
                primary: sign * primaryValue(index, sort), waiters: waiters[index], rate: rates[index],
                rank: keyRanks[index], index: index
            )
        }
        records.sort(by: SortRecord.precedes)
        sortCount += 1
        sortedRows = records.map(\.index)
        sortColumn = sort
        sortDirection = direction
    }

    /// Applies a changed filter: when it only narrows the previous one, filters the current
    /// order (already sorted); otherwise rebuilds.
    mutating func refilter(_ filter: String) {
        let needle = Self.needle(filter)
        self.filter = filter
        guard needle != orderNeedle else { return }
        guard Self.bytes(needle, contain: orderNeedle) else {
            rebuild(sort: sortColumn, direction: sortDirection, filter: filter)
            return
        }
        order = filtered(order, needle)
        filterCount += 1
        orderNeedle = needle
        updatePositions()
    }

    /// Shows only the rows that need attention, worst first (`true`), or every row in the
    /// sort (`false`); the filter still applies.
    mutating func showAttentionOnly(_ only: Bool) {
        guard only != attentionOnly else { return }
        attentionOnly = only
        rebuild(sort: sortColumn, direction: sortDirection, filter: filter)
    }

    /// Why the row at display position `position` needs attention (empty when it does not).
    func attention(at position: Int) -> Attention {
        guard position >= 0, position < order.count, order[position] < attention.count else { return Attention() }
        return attention[order[position]]
    }

    /// How many rows need attention.
    var attentionCount: Int { attentionRows.count }

    /// The position in ``order`` of the row with key `key`, if shown.
    func position(ofKey key: [UInt8]) -> Int? {
        guard let index = row(withKey: key), positions[index] >= 0 else { return nil }
        return positions[index]
    }

    /// The index of the row with key `key` (the first, should a scan repeat a key).
    private func row(withKey key: [UInt8]) -> Int? {
        var low = 0
        var high = rowsByKey.count
        while low < high {  // the first rank whose key is not below `key`
            let middle = (low + high) / 2
            if Self.compare(locks[rowsByKey[middle]].keyBytes, key) < 0 { low = middle + 1 } else { high = middle }
        }
        guard low < rowsByKey.count, locks[rowsByKey[low]].keyBytes == key else { return nil }
        return rowsByKey[low]
    }

    /// The row at display position `position`.
    func lock(at position: Int) -> InspectedLock? {
        guard position >= 0, position < order.count else { return nil }
        return locks[order[position]]
    }

    /// The row with key `key`, wherever it is.
    func lock(withKey key: [UInt8]) -> InspectedLock? {
        row(withKey: key).map { locks[$0] }
    }

    private mutating func updatePositions() {
        positions = Array(repeating: -1, count: locks.count)
        for (position, index) in order.enumerated() {
            positions[index] = position
        }
    }

    private func primaryValue(_ index: Int, _ sort: SortColumn) -> Double {
        switch sort {
        case .key: Double(keyRanks[index])
        case .ttl: Double(ttls[index])
        case .age: Double(ages[index])
        case .waiters: Double(waiters[index])
        case .acquisitionsPerSecond: rates[index]
        }
    }

    /// The rows of `rows` (in their order) whose key or owner contains `needle`. Many rows are
    /// matched in row order first: jumping through the rows in display order missed the cache
    /// on every row and cost 50 ms at 100,000 rows.
    private func filtered(_ rows: [Int], _ needle: [UInt8]) -> [Int] {
        guard rows.count > locks.count / 8 else { return rows.filter { matches(row: $0, needle) } }
        let matching = locks.indices.map { matches(row: $0, needle) }
        return rows.filter { matching[$0] }
    }

    /// Whether row `row`'s key or owner contains `needle` (lower-cased), ignoring case. Read
    /// straight from the rows: an index of lower-cased copies cost 90 ms to build at 100,000
    /// rows, on the first filter keystroke.
    private func matches(row: Int, _ needle: [UInt8]) -> Bool {
        let lock = locks[row]
        if lock.keyBytes.withUnsafeBufferPointer({ Self.text($0, containsLowercased: needle) }) { return true }
        guard var owner = lock.owner else { return false }
        return owner.withUTF8 { Self.text($0, containsLowercased: needle) }
    }

    /// Bytewise comparison: negative, zero or positive.
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let common = min(a.count, b.count)
        let result = a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
            }
        }
        if result != 0 { return Int(result) }
        return a.count - b.count
    }

    /// Whether `text` contains `needle` (already lower-cased), ignoring case: ASCII text is
    /// folded byte by byte as it is compared; other text goes through `String.lowercased()`.
    static func text(_ text: UnsafeBufferPointer<UInt8>, containsLowercased needle: [UInt8]) -> Bool {
        guard !text.contains(where: { $0 >= 0x80 }) else {
            return bytes(Array(String(decoding: text, as: UTF8.self).lowercased().utf8), contain: needle)
        }
        guard !needle.isEmpty else { return true }
        guard text.count >= needle.count else { return false }
        return needle.withUnsafeBufferPointer { needle in
            for start in 0 ... text.count - needle.count {
                var matched = 0
                while matched < needle.count {
                    let byte = text[start + matched]
                    let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                    guard folded == needle[matched] else { break }
                    matched += 1
                }
                if matched == needle.count { return true }
            }
            return false
        }
    }

    private static func needle(_ filter: String) -> [UInt8] {
        Array(filter.lowercased().utf8)
    }

    /// Whether `haystack` contains `needle` as a contiguous run.
    static func bytes(_ haystack: [UInt8], contain needle: [UInt8]) -> Bool {
        haystack.withUnsafeBufferPointer { haystack in
            guard !needle.isEmpty else { return true }
            guard haystack.count >= needle.count else { return false }
            return (0 ... haystack.count - needle.count).contains { start in
                haystack[start ..< start + needle.count].elementsEqual(needle)
            }
        }
    }
}

/// One row's sort keys: the chosen column (negated for descending), then the most contended
/// first (waiters, then acquisitions per second, descending), then the key.
private struct SortRecord {
    var primary: Double
    var waiters: Int
    var rate: Double
    var rank: Int
    var index: Int

    static func precedes(_ a: SortRecord, _ b: SortRecord) -> Bool {
        if a.primary != b.primary { return a.primary < b.primary }
        if a.waiters != b.waiters { return a.waiters > b.waiters }
        if a.rate != b.rate { return a.rate > b.rate }
        return a.rank < b.rank
    }
}
