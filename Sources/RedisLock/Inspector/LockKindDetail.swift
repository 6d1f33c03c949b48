/// What the inspector decoded about a lock of a kind beyond the exclusive lock (a fair lock, a
/// read-write lock, a semaphore, this library's or Redisson's): its holders, its queue, its
/// permits. Every string in it came from Redis: sanitize before printing.
public struct LockKindDetail: Sendable, Hashable {
    /// The kind of lock.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A fair lock: one holder, waiters queued in arrival order.
        case fair
        /// A read-write lock: many readers or one writer.
        case readWrite = "rw"
        /// A semaphore: up to a number of permits, one holder each.
        case semaphore
    }

    /// A read-write lock's mode.
    public enum Mode: String, Sendable, Hashable {
        /// Held by readers.
        case read
        /// Held by a writer.
        case write
    }

    /// The kind.
    public var kind: Kind
    /// A read-write lock's mode; `nil` for the other kinds.
    public var mode: Mode?
    /// Who holds it: the fair lock's holder, the readers or the writer, the permit holders.
    public var holders: [KindHolder]
    /// How many wait in a fair lock's queue; `nil` when the layout has no queue.
    public var queueLength: Int?
    /// The head of a fair lock's queue (the next holder), when someone waits and its record
    /// was readable.
    public var queueHead: KindHolder?
    /// A semaphore's permit count; `nil` for the other kinds or when unknown.
    public var permitsTotal: Int?

    /// Makes a detail.
    public init(kind: Kind, mode: Mode? = nil, holders: [KindHolder] = [], queueLength: Int? = nil,
                queueHead: KindHolder? = nil, permitsTotal: Int? = nil) {
        self.kind = kind
        self.mode = mode
        self.holders = holders
        self.queueLength = queueLength
        self.queueHead = queueHead
        self.permitsTotal = permitsTotal
    }

    /// Whether `other` shows the same holders (same fields and values), mode, queue length,
    /// queue head and permit count, whatever the TTLs now: a change an operator would see.
    package func hasSameShape(as other: LockKindDetail) -> Bool {
        func same(_ a: KindHolder, _ b: KindHolder) -> Bool { a.isSameHolder(as: b) && a.value == b.value }
        return kind == other.kind && mode == other.mode && queueLength == other.queueLength && permitsTotal == other.permitsTotal
            && holders.count == other.holders.count && zip(holders, other.holders).allSatisfy(same)
            && (queueHead == nil) == (other.queueHead == nil) && zip([queueHead].compactMap { $0 }, [other.queueHead].compactMap { $0 }).allSatisfy(same)
    }

    /// The readers of a read-write lock (its holders in read mode).
    public var readers: [KindHolder] { holders.filter { $0.role == .reader } }

    /// The writer of a read-write lock, when one holds it.
    public var writer: KindHolder? { holders.first { $0.role == .writer } }

    /// A compact summary for a table cell: `rw: 3 readers`, `rw: writer`, `semaphore 2/5`,
    /// `fair: 4 queued`, `fair: no queue`. Pure ASCII: no string from Redis in it.
    public var summary: String {
        switch kind {
        case .readWrite:
            if mode == .write || writer != nil { return "rw: writer" }
            let count = readers.count
            return "rw: \(count) reader" + (count == 1 ? "" : "s")
        case .semaphore:
            return "semaphore \(holders.count)/" + (permitsTotal.map(String.init) ?? "?")
        case .fair:
            guard let queued = queueLength else { return "fair" }
            return queued == 0 ? "fair: no queue" : "fair: \(queued) queued"
        }
    }
}

/// One holder (or waiter) of a lock kind with several: a reader, the writer, a permit holder,
/// a fair lock's holder or queue head.
public struct KindHolder: Sendable, Hashable {
    /// What the holder is to its lock.
    public enum Role: String, Sendable, Hashable {
        /// The holder of an exclusive (fair) lock.
        case holder
        /// A reader of a read-write lock.
        case reader
        /// The writer of a read-write lock.
        case writer
        /// The holder of one of a semaphore's permits.
        case permit
        /// A waiter in a fair lock's queue.
        case waiter
    }

    /// What the holder is to its lock.
    public var role: Role
    /// Where it is kept in the lock's hash (`r:<token>`, `w`, `h:<token>`, a Redisson
    /// `<uuid>:<threadId>`), exact bytes; empty when the lock is no hash.
    public var field: [UInt8]
    /// Its stored value, exact bytes (the record, a hold count, a waiter's record prefix):
    /// force-release compares these.
    public var value: [UInt8]
    /// Its token (this library's records), or the id that names it (Redisson's).
    public var token: String?
    /// Its owner label, when the value carries one.
    public var owner: String?
    /// Its fence, when the value carries one.
    public var fence: Int64?
    /// When it acquired (Unix ms, server clock), when the value says.
    public var acquiredAtMilliseconds: Int64?
    /// Milliseconds left of its lease (or of a waiter's deadline), when known.
    public var ttlMilliseconds: Int64?

    /// Makes a holder.
    public init(role: Role, field: [UInt8] = [], value: [UInt8] = [], token: String? = nil, owner: String? = nil,
                fence: Int64? = nil, acquiredAtMilliseconds: Int64? = nil, ttlMilliseconds: Int64? = nil) {
        self.role = role
        self.field = field
        self.value = value
        self.token = token
        self.owner = owner
        self.fence = fence
        self.acquiredAtMilliseconds = acquiredAtMilliseconds
        self.ttlMilliseconds = ttlMilliseconds
    }

    /// A holder read from this library's record (`value`), kept in `field`.
    package init(role: Role, field: [UInt8] = [], record value: [UInt8], ttlMilliseconds: Int64?) {
        let record = LockRecord(parsing: String(decoding: value, as: UTF8.self))
        self.init(role: role, field: field, value: value, token: record?.token, owner: record?.owner, fence: record?.fence,
                  acquiredAtMilliseconds: record?.acquiredAtMilliseconds, ttlMilliseconds: ttlMilliseconds)
    }

    /// How the holder is named to an operator (and on `release --holder`): its token, else
    /// its field.
    public var name: String { token ?? String(decoding: field, as: UTF8.self) }

    /// Whether `other` is the same holder read again (the same role, field and token), whatever
    /// its TTL now: how a selection follows a holder across refreshes.
    public func isSameHolder(as other: KindHolder) -> Bool {
        role == other.role && field == other.field && token == other.token
    }
}

extension InspectedLock {
    /// The format as a table shows it: the library, or for a lock kind its compact summary
    /// (`rw: 3 readers`; `redisson semaphore 2/5` for another library's). Pure ASCII.
    public var formatLabel: String {
        guard let kind else { return format.rawValue }
        return format == .lockwatch ? kind.summary : format.rawValue + " " + kind.summary
    }
}
