import Foundation

/// Settings shared by every lock a ``Locker`` takes.
public struct LockConfiguration: Sendable, Hashable {
    /// Put in front of every lock key (default `lock:`).
    public var prefix: String
    /// The owner label stored in each lock record (default `hostname:pid`). Control characters
    /// are rejected; at most ``LockRecord/maximumOwnerLength`` bytes.
    public var owner: String
    /// The share of the TTL allowed for clock drift between client and server when computing
    /// how long a lease is valid (default 1 %; 2 ms more is always added).
    public var driftFactor: Double
    /// Waiting: the first and the largest pause of the fallback retry that covers lost
    /// wake-up messages and expirations (exponential with full jitter, never past the
    /// holder's remaining TTL).
    public var retryBackoff: ClosedRange<Duration>
    /// How often ``DistributedLock/withLock(_:ttl:wait:_:)`` renews, as a share of the TTL (default 1/3;
    /// above 0.01 and below 0.9, checked when a ``Locker`` is made).
    public var renewalFraction: Double
    /// Waiting where pub/sub is refused (through Codis or twemproxy): the first and the
    /// largest pause between polls (exponential with full jitter, never past the holder's
    /// remaining TTL), so that a release is noticed within a few milliseconds under light
    /// contention without hammering the proxy under heavy contention.
    public var pollBackoff: ClosedRange<Duration>
    /// How locks are stored: this library's records (default) or the original Go lock's
    /// plain tokens (``LockLayout/legacy``), to share locks with Go services.
    public var layout: LockLayout
    /// Server settings not to warn about (default none): see ``ServerRisk``.
    public var acceptedRisks: Set<ServerRisk>

    /// Makes a configuration; every argument has a default.
    public init(
        prefix: String = "lock:",
        owner: String = LockConfiguration.defaultOwner,
        driftFactor: Double = 0.01,
        retryBackoff: ClosedRange<Duration> = .milliseconds(5) ... .milliseconds(500),
        renewalFraction: Double = 1.0 / 3.0,
        pollBackoff: ClosedRange<Duration> = .milliseconds(1) ... .milliseconds(50),
        layout: LockLayout = .record,
        acceptedRisks: Set<ServerRisk> = []
    ) {
        self.prefix = prefix
        self.owner = owner
        self.driftFactor = driftFactor
        self.retryBackoff = retryBackoff
        self.renewalFraction = renewalFraction
        self.pollBackoff = pollBackoff
        self.layout = layout
        self.acceptedRisks = acceptedRisks
    }

    /// The original Go lock's layout (``LockLayout/legacy``) under `prefix`: a ``Locker``
    /// with this configuration excludes Go services that lock the same names, and keeps
    /// renewal, lease loss and ``DistributedLock/withLock(_:ttl:wait:_:)``.
    public static func legacy(prefix: String = LockLayout.legacyPrefix, owner: String = LockConfiguration.defaultOwner) -> LockConfiguration {
        LockConfiguration(prefix: prefix, owner: owner, layout: .legacy)
    }

    /// `hostname:pid` of this process.
    public static var defaultOwner: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}
