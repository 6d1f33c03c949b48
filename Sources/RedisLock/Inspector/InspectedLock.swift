/// One lock as the inspector saw it in one scan.
public struct InspectedLock: Sendable, Hashable {
    /// The key's exact bytes (keys need not be UTF-8).
    public var keyBytes: [UInt8]
    /// The key as text (invalid UTF-8 shown as U+FFFD). Sanitize before printing.
    public var key: String { String(decoding: keyBytes, as: UTF8.self) }
    /// Which library's format the value has.
    public var format: LockFormat
    /// The Redis type (`string`, `hash`, …).
    public var type: String
    /// Who holds it, when the value says (owner label, Redisson client id, …).
    public var owner: String? { willSet { keepValue() } }
    /// The holder's token or the value that identifies the holder.
    public var token: String? { willSet { keepValue() } }
    /// The raw value: the string's bytes, or for a hash its fields as `field=value` lines
    /// (for display: force-release compares a hash by ``hashFields``). Setting it drops
    /// ``hashFields``.
    public var value: [UInt8] {
        get {
            switch baseValue {
            case .bytes(let bytes): bytes
            case .record: recordFields.encoded
            case .hash(let fields): HashField.rendered(fields)
            case .kinded: []  // never a base value
            }
        }
        set { baseValue = .bytes(newValue) }
    }
    /// A hash's fields and values as exact bytes, sorted by field; `nil` for other types.
    public var hashFields: [HashField]? {
        get { if case .hash(let fields) = baseValue { fields } else { nil } }
        set { baseValue = newValue.map { .hash($0) } ?? .bytes(value) }
    }
    /// What a lock of a kind beyond the exclusive lock holds (readers, permits, a queue); `nil`
    /// for an exclusive lock. Kept with the value behind one reference, so a row stays 128 bytes.
    public var kind: LockKindDetail? {
        get { if case .kinded(let box) = storedValue { box.detail } else { nil } }
        set { storedValue = newValue.map { .kinded(KindBox(detail: $0, base: baseValue)) } ?? baseValue }
    }
    /// How the value is kept: its bytes; a hash's fields (the rendering is made on demand); or
    /// nothing, when it is this library's record exactly as the acquire script writes it, which
    /// ``value`` rebuilds from the fields on demand (at 100,000 locks that saves a copy of
    /// every value in every scan); or one of those with a lock kind's detail. One enum, so a
    /// row stays 128 bytes.
    private var storedValue: StoredValue

    private enum StoredValue: Hashable, Sendable {
        case bytes([UInt8])
        case record
        case hash([HashField])
        case kinded(KindBox)
    }

    /// A kind's detail and the value it came with.
    private final class KindBox: Hashable, Sendable {
        let detail: LockKindDetail
        let base: StoredValue

        init(detail: LockKindDetail, base: StoredValue) {
            self.detail = detail
            self.base = base
        }

        static func == (lhs: KindBox, rhs: KindBox) -> Bool { lhs.detail == rhs.detail && lhs.base == rhs.base }

        func hash(into hasher: inout Hasher) {
            hasher.combine(detail)
            hasher.combine(base)
        }
    }

    /// The value as stored, without a kind's detail; setting it keeps the detail.
    private var baseValue: StoredValue {
        get { if case .kinded(let box) = storedValue { box.base } else { storedValue } }
        set {
            if case .kinded(let box) = storedValue {
                storedValue = .kinded(KindBox(detail: box.detail, base: newValue))
            } else {
                storedValue = newValue
            }
        }
    }
    /// Time to live in milliseconds; `nil` when the key has no TTL (a stuck lock).
    public var ttlMilliseconds: Int64? {
        get { Self.optional(ttlStorage) }
        set { ttlStorage = Self.stored(newValue) }
    }
    /// When it was acquired (Unix ms, server clock), when the value says.
    public var acquiredAtMilliseconds: Int64? {
        get { Self.optional(acquiredAtStorage) }
        set { keepValue(); acquiredAtStorage = Self.stored(newValue) }
    }
    /// The fencing token of the current holder, when known.
    public var fence: Int64? {
        get { Self.optional(fenceStorage) }
        set { keepValue(); fenceStorage = Self.stored(newValue) }
    }
    /// Subscribers of the lock's wake-up channel (its waiters), when it has one.
    public var waiters: Int? {
        get { Self.optional(waitersStorage).map { Int($0) } }
        set { waitersStorage = newValue.map { Int64($0) } ?? Self.none }
    }
    /// Acquisitions per second since the previous scan (from the fence counter's growth).
    public var acquisitionsPerSecond: Double? {
        get { rateStorage.bitPattern == Self.noRate.bitPattern ? nil : rateStorage }
        set { rateStorage = newValue ?? Self.noRate }
    }
    /// How many different holders the inspector has seen on this key.
    public var holderChanges: Int
    /// The node (cluster) or the copies per node (Redlock set); `nil` on one server.
    public var placement: LockPlacement?
    // The optional numbers are stored without their optionals' padding (an `Int64?` takes 16
    // bytes in a struct): `Int64.min` and one NaN stand for `nil`. At 100,000 rows, kept twice
    // while a scan replaces the previous one, that is 8 MB.
    private var ttlStorage: Int64
    private var acquiredAtStorage: Int64
    private var fenceStorage: Int64
    private var waitersStorage: Int64
    private var rateStorage: Double
    private static let none = Int64.min
    private static let noRate = Double(bitPattern: 0x7FF8_4E4F_4E45_0001)  // a quiet NaN no arithmetic makes

    private static func optional(_ stored: Int64) -> Int64? { stored == none ? nil : stored }
    private static func stored(_ value: Int64?) -> Int64 { value ?? none }

    /// Makes a row.
    public init(
        keyBytes: [UInt8], format: LockFormat, type: String, owner: String? = nil, token: String? = nil,
        value: [UInt8] = [], ttlMilliseconds: Int64? = nil, acquiredAtMilliseconds: Int64? = nil,
        fence: Int64? = nil, waiters: Int? = nil, acquisitionsPerSecond: Double? = nil, holderChanges: Int = 0,
        placement: LockPlacement? = nil, hashFields: [HashField]? = nil
    ) {
        self.keyBytes = keyBytes
        self.format = format
        self.type = type
        self.owner = owner
        self.token = token
        self.storedValue = hashFields.map { .hash($0) } ?? .bytes(value)
        self.ttlStorage = Self.stored(ttlMilliseconds)
        self.acquiredAtStorage = Self.stored(acquiredAtMilliseconds)
        self.fenceStorage = Self.stored(fence)
        self.waitersStorage = waiters.map { Int64($0) } ?? Self.none
        self.rateStorage = acquisitionsPerSecond ?? Self.noRate
        self.holderChanges = holderChanges
        self.placement = placement
    }

    /// A row for this library's record read in its canonical shape (see ``RecordFastPath``):
    /// the value is not stored but rebuilt from the fields.
    package init(keyBytes: [UInt8], record: RecordFastPath.Fields, ttlMilliseconds: Int64?, placement: LockPlacement?) {
        self.init(
            keyBytes: keyBytes, format: .lockwatch, type: "string", owner: record.owner, token: record.token,
            ttlMilliseconds: ttlMilliseconds, acquiredAtMilliseconds: record.acquiredAtMilliseconds,
            fence: record.fence, placement: placement)
        storedValue = .record
    }

    /// The record ``value`` stands for when it is not stored.
    private var recordFields: RecordFastPath.Fields {
        RecordFastPath.Fields(
            token: token ?? "", owner: owner ?? "", acquiredAtMilliseconds: acquiredAtMilliseconds ?? 0, fence: fence ?? 0)
    }

    /// Stores the value before a field it is rebuilt from changes.
    private mutating func keepValue() {
        if case .record = baseValue { baseValue = .bytes(recordFields.encoded) }
    }

    /// A 64-bit identity of the value for telling holders apart across scans (this process
    /// only: the hasher is seeded), computed without rebuilding a record's value: the same
    /// bytes always give the same identity.
    package var valueDigest: UInt64 {
        var hasher = Hasher()
        switch baseValue {
        case .bytes(let bytes): bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        case .record: hasher.combine(recordFields)
        case .hash(let fields): HashField.rendered(fields).withUnsafeBytes { hasher.combine(bytes: $0) }
        case .kinded: break  // never a base value
        }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    public static func == (lhs: InspectedLock, rhs: InspectedLock) -> Bool {
        lhs.keyBytes == rhs.keyBytes && lhs.format == rhs.format && lhs.type == rhs.type && lhs.owner == rhs.owner
            && lhs.token == rhs.token && lhs.value == rhs.value && lhs.ttlMilliseconds == rhs.ttlMilliseconds
            && lhs.acquiredAtMilliseconds == rhs.acquiredAtMilliseconds && lhs.fence == rhs.fence && lhs.waiters == rhs.waiters
            && lhs.acquisitionsPerSecond == rhs.acquisitionsPerSecond && lhs.holderChanges == rhs.holderChanges
            && lhs.placement == rhs.placement && lhs.hashFields == rhs.hashFields && lhs.kind == rhs.kind
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keyBytes)
        hasher.combine(format)
        hasher.combine(token)
        hasher.combine(value)
        hasher.combine(ttlMilliseconds)
        hasher.combine(fence)
        hasher.combine(kind)
    }

    /// Who holds it, for telling holders apart: its token, else its value. This library's
    /// records on the nodes of a Redlock set differ (each node adds its own clock and fence)
    /// but carry one token.
    public var holder: [UInt8] { token.map { Array($0.utf8) } ?? value }

    /// Whether the lock has no TTL and so never expires by itself (a Redisson semaphore's
    /// count never has one: its permits expire one by one).
    public var isStuck: Bool { ttlMilliseconds == nil && !(format == .redisson && kind?.kind == .semaphore) }

    /// How long it has been held at `serverTimeMilliseconds`, when the acquisition time is known.
    public func ageMilliseconds(at serverTimeMilliseconds: Int64) -> Int64? {
        acquiredAtMilliseconds.map { max(0, serverTimeMilliseconds - $0) }
    }
}

/// Something the inspector noticed between two scans.
public struct LockEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable {
        /// A lock appeared, or its holder changed.
        case acquired
        /// A lock vanished before its TTL ran out: its holder released it.
        case released
        /// A lock vanished at the end of its TTL: its holder probably died or overran.
        case expired
        /// An operator force-released it.
        case forceReleased = "force-released"
        /// Its holder set its TTL again (same value, new TTL).
        case extended
        /// Another holder's value replaced the previous one without the key vanishing in
        /// between (as far as the change stream could see).
        case holderChanged = "holder-changed"
        /// The change stream was lost (or the data flushed) and every lock was read again:
        /// ``LockEvent/detail`` says why; the events that follow it come from that scan.
        case rescanned
        /// A fenced resource refused a write that carried an older holder's fence (reported by
        /// the resource, e.g. the demo's, not found by a scan): fencing did its job.
        case staleWriteRejected = "stale-write-rejected"
    }

    /// How the inspector learned of it.
    public enum Source: String, Sendable, Hashable {
        /// Comparing two scans.
        case scan
        /// A keyspace notification from the server (see ``ExpiryNotifications``).
        case notification
        /// The server's change stream (see ``LiveInspector``).
        case stream
    }

    /// What happened.
    public var kind: Kind
    /// How the inspector learned of it.
    public var source: Source
    /// The key's bytes.
    public var keyBytes: [UInt8]
    /// The key as text (sanitize before printing).
    public var key: String { String(decoding: keyBytes, as: UTF8.self) }
    /// The holder involved, when known.
    public var owner: String?
    /// When it was noticed (Unix ms, server clock).
    public var atMilliseconds: Int64
    /// More about it, e.g. why a ``Kind/rescanned`` happened (sanitize before printing).
    public var detail: String?

    /// Makes an event.
    public init(kind: Kind, keyBytes: [UInt8], owner: String?, atMilliseconds: Int64, source: Source = .scan, detail: String? = nil) {
        self.kind = kind
        self.source = source
        self.keyBytes = keyBytes
        self.owner = owner
        self.atMilliseconds = atMilliseconds
        self.detail = detail
    }
}

/// The result of one inspection: every lock found, plus what it cost.
public struct InspectionSnapshot: Sendable {
    /// The locks, in no particular order.
    public var locks: [InspectedLock]
    /// Events since the previous scan (empty on the first).
    public var events: [LockEvent]
    /// The server's clock at the scan (Unix ms).
    public var serverTimeMilliseconds: Int64
    /// How many keys SCAN returned (helper keys included).
    public var scannedKeys: Int
    /// How many commands the refresh sent to Redis.
    public var commandCount: Int
    /// How many round trips the refresh took.
    public var roundTrips: Int
    /// How long the refresh took.
    public var duration: Duration
    /// The nodes (of a cluster or Redlock set) that did not answer, each with why: their
    /// locks are missing from this snapshot.
    public var unreachableNodes: [String]
    /// What the refresh did without because the server refused an optional command ("TIME
    /// refused …: ages use this machine's clock", "PUBSUB refused …: waiters unknown").
    public var notes: [String]
    /// How the rows are kept current (``LiveInspector``); `nil` from a plain ``LockInspector``.
    public var mode: InspectionMode?
    /// How old the oldest row may be at the snapshot: changes announced but not read yet
    /// (live), or the scan's duration (scanning). `nil` when unknown.
    public var staleness: Duration?
    /// The proxy the locks were read through, and whether ages are local and waiters unknown.
    public var conditions = ScanConditions()
    /// What the inspector costs the server (``LiveInspector``); `nil` from a plain ``LockInspector``.
    public var load: InspectionLoad?

    /// Makes a snapshot.
    public init(
        locks: [InspectedLock], events: [LockEvent], serverTimeMilliseconds: Int64, scannedKeys: Int, commandCount: Int,
        roundTrips: Int, duration: Duration, unreachableNodes: [String] = [], notes: [String] = []
    ) {
        self.locks = locks
        self.events = events
        self.serverTimeMilliseconds = serverTimeMilliseconds
        self.scannedKeys = scannedKeys
        self.commandCount = commandCount
        self.roundTrips = roundTrips
        self.duration = duration
        self.unreachableNodes = unreachableNodes
        self.notes = notes
    }
}
