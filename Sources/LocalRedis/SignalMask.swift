import Glibc

/// Controls the signal mask that spawned children inherit.
///
/// `posix_spawn` (used by Foundation's `Process`) passes the calling thread's signal mask on
/// to the child, and libdispatch worker threads (where Swift concurrency runs) block most
/// signals. A redis-server launched from such a thread would ignore SIGTERM, so the launch
/// runs with an empty mask on the calling thread, restored right afterwards.
public enum SignalMask {
    /// Runs `body` (e.g. `process.run()`) with every signal unblocked on this thread, so a
    /// child spawned inside it starts with an empty signal mask.
    public static func withAllSignalsUnblocked<Result>(_ body: () throws -> Result) rethrows -> Result {
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }
}
