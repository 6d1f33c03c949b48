public import Glibc

/// `posix_spawn` attributes that give a child an empty signal mask and default handlers for
/// every signal.
///
/// Swift's worker threads block most signals and a spawned child inherits the calling
/// thread's mask, so without these a child (a redis-server, a command run by `lockwatch hold`)
/// would ignore SIGTERM and SIGINT.
///
/// Why `posix_spawn` by hand rather than swift-subprocess (1.0.2, checked against its source):
/// on Linux its `PlatformOptions` has no pre-spawn hook (that is Darwin and Windows only) and
/// no way to reset the signal mask or handlers, so a child spawned from a Swift worker thread
/// would inherit blocked SIGTERM/SIGINT; and it reaps its own children on a monitor thread
/// (pidfd or a SIGCHLD handler), which cannot coexist with `lockwatch hold`'s subreaper loop
/// (`waitpid(-group)` for every descendant, reaping under the lock it signals with so a
/// reused pid is never signalled) or with ProcessRunner's `waitpid` of a pid it knows.
/// Process groups, environment and exit status it does cover; those alone do not decide it.
public enum CleanSpawnAttributes {
    /// glibc's `POSIX_SPAWN_SETSID`: its header defines it only under `_GNU_SOURCE`, which
    /// Swift's Glibc module does not see.
    private static let setSessionFlag: Int32 = 0x80

    /// Calls `body` with initialised attributes, destroyed afterwards. With `newSession` the
    /// child starts a session (and process group) of its own, whose id is its pid, so all its
    /// descendants can be signalled and waited for together.
    public static func with<Result>(newSession: Bool = false, _ body: (inout posix_spawnattr_t) throws -> Result) rethrows -> Result {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? setSessionFlag : 0)
        posix_spawnattr_setflags(&attributes, Int16(flags))
        return try body(&attributes)
    }
}
