/// One kind of lock's single try, as ``WaitLoop`` repeats it, and the words of the wait's
/// messages: the exclusive lock of ``Locker``, or a lease of ``HolderCore`` (a read share,
/// the write lock, a permit).
protocol LockTry: Sendable {
    /// What a try that did not get the lock found in its way.
    associatedtype Contention: Sendable

    /// Tries once. A transient failure (and a `notAcquired` one) is thrown like any other
    /// error: the loop tells which ones it retries.
    func once() async throws(LockError) -> LockTryResult<Contention>

    /// The holder in `contention`'s way, when one is known.
    func holder(in contention: Contention) -> LockHolder?

    /// How long until `contention` may change (the holder's remaining time), when known: the
    /// waiter never sleeps past it.
    func remaining(in contention: Contention) -> Duration?

    /// What messages call the lock: `'orders'`, `the write lock of 'orders'`.
    var subject: String { get }

    /// The message of a try that found the lock held and may not wait.
    func heldMessage(_ contention: Contention) -> String

    /// How a timed-out wait's message ends, after ``subject``: what the last try found, or
    /// what stands in the way when this waiter never got to try.
    func stillHeld(_ contention: Contention?) -> String

    /// The longest pause between two tries of the queue's head, if shorter than the backoff
    /// (a waiting writer renews its marker with each try).
    var longestPause: Duration? { get }
}

/// What one ``LockTry`` found: the lease, or what stood in the way.
enum LockTryResult<Contention: Sendable>: Sendable {
    case acquired(LockLease)
    case held(Contention)

    /// The lease, when the try took it.
    var lease: LockLease? {
        if case .acquired(let lease) = self { return lease }
        return nil
    }
}
