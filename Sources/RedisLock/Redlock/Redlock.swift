public import RESP
public import Logging

/// One lock over several independent Redis masters (the Redlock algorithm): it is held when a
/// majority of them granted it within the TTL.
///
/// ```swift
/// let redlock = try Redlock(clients: urls.map { try RedisClient(url: $0) })
/// try await redlock.withLock("orders:42", ttl: .seconds(30), wait: .seconds(10)) { lease in
///     try await storage.write(order)
/// }
/// ```
///
/// Acquire asks every node at once with the same token, each bounded by
/// ``RedlockConfiguration/nodeTimeout`` (far below the TTL, so a slow or dead node cannot stall
/// it); it succeeds when `nodes / 2 + 1` granted and the validity left (TTL minus the time
/// taken minus the drift allowance) is positive. Otherwise it releases the lock on *every*
/// node, including those that seemed to fail, because a request that timed out may still be
/// applied. Extending needs a majority within the validity; release goes to every node.
///
/// What it assumes: the nodes fail independently, and a node that restarts without
/// persistence stays unavailable for at least the longest TTL (the delayed-restart rule);
/// otherwise it forgets locks it granted and a second client can assemble a majority.
/// On fencing across nodes see ``RedlockLease``.
public final class Redlock: DistributedLock {
    /// One locker per independent master, in node order.
    public let lockers: [Locker]
    /// Timeouts and retries.
    public let configuration: RedlockConfiguration

    /// How many nodes must grant a lock.
    public var quorum: Int { lockers.count / 2 + 1 }

    /// Makes a Redlock over `clients`, one per independent master (at least 1; use 3 or 5).
    public init(
        clients: [RedisClient],
        lockConfiguration: LockConfiguration = LockConfiguration(),
        configuration: RedlockConfiguration = RedlockConfiguration(),
        logger: Logger = Logger(label: "RedisLock.Redlock")
    ) throws(LockError) {
        guard !clients.isEmpty else { throw LockError(.invalidArgument, "a Redlock needs at least one Redis master; use 3 or 5 independent ones") }
        var lockers: [Locker] = []
        for client in clients {
            lockers.append(try Locker(client: client, configuration: lockConfiguration, logger: logger))
        }
        self.lockers = lockers
        self.configuration = configuration
    }

    /// What one node answered to an acquire.
    private enum NodeAnswer: Sendable {
        case granted(LockLease)
        case held(LockHolder)
        case failed(String)
    }

    /// Tries once to take lock `name` on a majority of the nodes for `ttl`.
    ///
    /// - Parameters:
    ///   - name: the lock's name.
    ///   - ttl: how long the lease lasts on each node.
    ///   - token: your own token; by default 128 random bits, the same on every node.
    public func tryLock(_ name: String, ttl: Duration, token: String? = nil) async throws(LockError) -> RedlockAttempt {
        let token = try LockValidation.token(token, layout: .record)
        _ = try LockValidation.ttl(ttl)
        guard configuration.nodeTimeout < ttl else {
            throw LockError(.invalidArgument, "the TTL (\(ttl.formattedMilliseconds)) must be longer than the per-node timeout (\(configuration.nodeTimeout.formattedMilliseconds))")
        }
        let start = ContinuousClock.now
        let answers = await askEveryNode { _, locker async -> NodeAnswer in
            do throws(LockError) {
                switch try await locker.tryLock(name, ttl: ttl, token: token, awaitingSafetyCheck: false) {
                case .acquired(let lease): return .granted(lease)
                case .held(let holder): return .held(holder)
                }
            } catch {
                return .failed(error.message)
            }
        }
        var granted: [Int: LockLease] = [:]
        var holders: [Int: LockHolder] = [:]
        var failures: [Int: String] = [:]
        for (node, answer) in answers.enumerated() {
            guard let answer else {
                failures[node] = "no answer within \(configuration.nodeTimeout.formattedMilliseconds)"
                continue
            }
            switch answer {
            case .granted(let lease): granted[node] = lease
            case .held(let holder): holders[node] = holder
            case .failed(let reason): failures[node] = reason
            }
        }
        let validUntil = start + ttl - drift(for: ttl)
        if granted.count >= quorum, ContinuousClock.now < validUntil {
            return .acquired(RedlockLease(name: name, token: token, nodeLeases: granted, validUntil: validUntil))
        }
        await releaseEverywhere(name: name, token: token)
        return .notAcquired(RedlockRefusal(
            grantedNodes: granted.count, nodes: lockers.count, holders: holders, failures: failures,
            validityExhausted: granted.count >= quorum))
    }

    /// Releases the lock on every node (also those that did not grant it).
    ///
    /// - Returns: `true` when a majority still held it, so no one else can have held it
    ///   meanwhile; `false` when it had expired or been lost on too many nodes.
    @discardableResult
    public func unlock(_ lease: RedlockLease) async -> Bool {
        let released = await releaseEverywhere(name: lease.name, token: lease.token)
        lease.markReleased()
        return released >= quorum
    }

    /// Resets the TTL to `ttl` on the nodes that granted the lock; it stays held when a
    /// majority extended within the lease's validity. An expired lock is never re-created.
    ///
    /// - Returns: `true` when extended (the lease's validity moves on); `false` otherwise. The
    ///   lease is marked lost when too many nodes no longer hold it for a majority, or the
    ///   validity ran out; when nodes merely failed to answer, trying again may succeed.
    @discardableResult
    public func extend(_ lease: RedlockLease, ttl: Duration) async throws(LockError) -> Bool {
        _ = try LockValidation.ttl(ttl)
        guard !lease.isLost else { return false }
        let start = ContinuousClock.now
        // Per node: true extended, false no longer ours there, nil failed or no answer.
        let answers = await askEveryNode { [lease] node, locker async -> Bool? in
            guard let nodeLease = lease.nodeLeases[node] else { return false }  // never granted it
            do throws(LockError) {
                return try await locker.extend(nodeLease, ttl: ttl)
            } catch {
                return nil
            }
        }
        let extended = answers.filter { $0 == true }.count
        let gone = answers.filter { $0 == false }.count
        guard extended >= quorum, ContinuousClock.now < lease.validUntil else {
            // Lost for good once too many nodes say it is not ours, or the validity is over;
            // a node that merely failed may answer the next try.
            if gone > lockers.count - quorum {
                lease.markLost(.expired)
            } else if ContinuousClock.now >= lease.validUntil {
                lease.markLost(.renewalFailed("no majority of the nodes could be extended before the lease's validity ended"))
            }
            return false
        }
        lease.extendValidity(to: start + ttl - drift(for: ttl))
        return true
    }

    /// Deletes the lock holding `token` on every node, each bounded by the node timeout;
    /// returns on how many it was still there.
    @discardableResult
    func releaseEverywhere(name: String, token: String) async -> Int {
        let answers = await askEveryNode { _, locker async -> Bool in
            (try? await locker.releaseHolding(token: token, name: name)) ?? false
        }
        return answers.filter { $0 == true }.count
    }

    /// Opens every node's connection now, side by side, so that the first acquire's per-node
    /// timeout (meant for one round trip) is not spent on TCP and TLS handshakes and
    /// authentication. Returns after `limit` at the latest; nodes that did not answer are left
    /// to the acquire, which counts them as failed.
    public func connect(within limit: Duration = .seconds(2)) async {
        _ = await allResults(within: limit, lockers.map { locker in
            { _ = try? await locker.backend.send(RESPCommand("PING"), nearKey: "", timeout: limit) }
        })
    }

    /// Runs `question` against every node at once, each bounded by the node timeout; `nil`
    /// for a node that did not answer in time.
    func askEveryNode<Answer: Sendable>(_ question: @escaping @Sendable (_ node: Int, Locker) async -> Answer) async -> [Answer?] {
        await allResults(within: configuration.nodeTimeout, lockers.enumerated().map { node, locker in { await question(node, locker) } })
    }

    /// The clock-drift allowance subtracted from a TTL.
    func drift(for ttl: Duration) -> Duration {
        lockers[0].drift(for: ttl)
    }
}

/// Timeouts and retries of a ``Redlock``.
public struct RedlockConfiguration: Sendable, Hashable {
    /// How long one node may take to answer one request; keep it far below the TTL.
    public var nodeTimeout: Duration
    /// The shortest and longest pause between attempts while waiting (exponential, jittered).
    public var retryBackoff: ClosedRange<Duration>

    /// Makes a configuration.
    public init(nodeTimeout: Duration = .milliseconds(50), retryBackoff: ClosedRange<Duration> = .milliseconds(5) ... .milliseconds(200)) {
        self.nodeTimeout = nodeTimeout
        self.retryBackoff = retryBackoff
    }
}
