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

    /// Display position of each row (`-1` when filtered out).
    private var positions: [Int] = []
    /// Row index of each key (the first, should a scan repeat a key).
    private var keyIndex: [ByteKey: Int] = [:]
    // Sort keys, extracted once per scan so that sorting compares plain numbers.
    private var keyRanks: [Int] = []
    private var waiters: [Int] = []
    private var rates: [Double] = []
    private var ttls: [Int64] = []
    private var ages: [Int64] = []
    /// Lower-cased `key NUL owner` per row, built the first time a filter is used.
    private var haystacks: [[UInt8]]?
    /// The lower-cased filter ``order`` was built with.
    private var orderNeedle: [UInt8] = []
    /// How many full sorts have run (tests check that moving and drawing never sort).
    private(set) var sortCount = 0
    /// How many times rows were filtered (full or incremental).
    private(set) var filterCount = 0

    init() {}

    /// Indexes, sorts and filters `locks` (the expensive part of a scan; runs off the UI loop).
    init(locks: [InspectedLock], serverTimeMilliseconds: Int64, sort: SortColumn, direction: SortDirection, filter: String) {
        self.locks = locks
        keyIndex.reserveCapacity(locks.count)
        for (index, lock) in locks.enumerated() where keyIndex[ByteKey(lock.keyBytes)] == nil {
            keyIndex[ByteKey(lock.keyBytes)] = index
        }
        keyRanks = Self.ranks(of: locks)
        waiters = locks.map { $0.waiters ?? -1 }
        rates = locks.map { lock in lock.acquisitionsPerSecond.flatMap { $0.isFinite ? $0 : nil } ?? -1 }
        ttls = locks.map { $0.ttlMilliseconds ?? .max }
        ages = locks.map { $0.ageMilliseconds(at: serverTimeMilliseconds) ?? -1 }
        rebuild(sort: sort, direction: direction, filter: filter)
    }

    /// Filters and sorts every row from scratch.
    mutating func rebuild(sort: SortColumn, direction: SortDirection, filter: String) {
        let needle = Self.needle(filter)
        var indices = Array(locks.indices)
        if !needle.isEmpty {
            let haystacks = searchIndex()
            indices = indices.filter { Self.bytes(haystacks[$0], contain: needle) }
            filterCount += 1
        }
        let sign: Double = direction == .ascending ? 1 : -1
        var records = indices.map { index in
            SortRecord(
                primary: sign * primaryValue(index, sort), waiters: waiters[index], rate: rates[index],
                rank: keyRanks[index], index: index
            )
        }
        records.sort(by: SortRecord.precedes)
        sortCount += 1
        order = records.map(\.index)
        sortColumn = sort
        sortDirection = direction
        self.filter = filter
        orderNeedle = needle
        updatePositions()
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
        let haystacks = searchIndex()
        order = order.filter { Self.bytes(haystacks[$0], contain: needle) }
        filterCount += 1
        orderNeedle = needle
        updatePositions()
    }

    /// The position in ``order`` of the row with key `key`, if shown.
    func position(ofKey key: [UInt8]) -> Int? {
        guard let index = keyIndex[ByteKey(key)], positions[index] >= 0 else { return nil }
        return positions[index]
    }

    /// The row at display position `position`.
    func lock(at position: Int) -> InspectedLock? {
        guard position >= 0, position < order.count else { return nil }
        return locks[order[position]]
    }

    /// The row with key `key`, wherever it is.
    func lock(withKey key: [UInt8]) -> InspectedLock? {
        keyIndex[ByteKey(key)].map { locks[$0] }
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

    private mutating func searchIndex() -> [[UInt8]] {
        if let haystacks { return haystacks }
        let built = locks.map { lock in
            Array(lock.key.lowercased().utf8) + [0] + Array((lock.owner ?? "").lowercased().utf8)
        }
        haystacks = built
        return built
    }

    /// Each row's place in bytewise key order.
    private static func ranks(of locks: [InspectedLock]) -> [Int] {
        let keys = locks.map(\.keyBytes)
        let sorted = keys.indices.sorted { compare(keys[$0], keys[$1]) < 0 }
        var ranks = Array(repeating: 0, count: locks.count)
        for (rank, index) in sorted.enumerated() {
            ranks[index] = rank
        }
        return ranks
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

    private static func needle(_ filter: String) -> [UInt8] {
        Array(filter.lowercased().utf8)
    }

    /// Whether `haystack` contains `needle` as a contiguous run.
    static func bytes(_ haystack: [UInt8], contain needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var matched = 1
                while matched < needle.count, haystack[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            start += 1
        }
        return false
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
