public import Glibc

/// `posix_spawn` attributes that give a child an empty signal mask and default handlers for
/// every signal.
///
/// Swift's worker threads block most signals and a spawned child inherits the calling
/// thread's mask, so without these a child (a redis-server, a command run by `lockwatch hold`)
/// would ignore SIGTERM and SIGINT.
public enum CleanSpawnAttributes {
    /// Calls `body` with initialised attributes, destroyed afterwards.
    public static func with<Result>(_ body: (inout posix_spawnattr_t) throws -> Result) rethrows -> Result {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        return try body(&attributes)
    }
}
