/// Why an acquire of a ``ReadWriteLocker`` or ``Semaphore`` lease did not succeed: the holder
/// in the way (for a semaphore the one that expires first, else the one that expires last),
/// when there is one, and the script's reason.
struct HolderContention: Sendable {
    /// The holder in the way, with its remaining time; `nil` when only a waiting writer's
    /// marker stood in the way.
    var holder: LockHolder?
    /// `writer`, `writer-waiting`, `readers`, or a semaphore's permit count.
    var reason: String
    /// The lease asked for.
    var role: HolderRole

    /// How long until something may change: the holder's or the marker's remaining time.
    var remaining: Duration?

    /// A clause for messages: `a writer holds it: 'web-7' (fence 4), expires in 2.1s`.
    var description: String {
        let latest = holder.map { "\($0)" } ?? "nobody"
        switch (role, reason) {
        case (_, "writer"): return "a writer holds it: \(latest)"
        case (_, "writer-waiting") where holder == nil: return "a writer waits for it (new readers wait behind it)"
        case (_, "writer-waiting"): return "a writer waits for it (new readers wait behind it); readers hold it, the last to expire: \(latest)"
        case (_, "readers"): return "readers hold it, the last to expire: \(latest)"
        case (.permit, let permits): return "all \(permits) permits are taken, the next to expire: \(latest)"
        default: return "held by \(latest)"
        }
    }
}
