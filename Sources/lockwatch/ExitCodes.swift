import ArgumentParser

/// The exit codes of `lockwatch`, shared by every subcommand and documented in `--help` and
/// the README. They follow sysexits(3) where one fits.
enum LockwatchExit {
    /// Bad flags or arguments (EX_USAGE).
    static let usage = ExitCode(64)
    /// Redis could not be reached or the connection failed (EX_UNAVAILABLE).
    static let unavailable = ExitCode(69)
    /// An internal error (EX_SOFTWARE).
    static let software = ExitCode(70)
    /// The lock was not acquired in time (EX_TEMPFAIL).
    static let notAcquired = ExitCode(75)
    /// The lease ended before the command (its whole process group) did.
    static let leaseLost = ExitCode(76)
    /// Wrong password, or the ACL user lacks a permission (EX_NOPERM).
    static let permission = ExitCode(77)
    /// The config file or the context asked for is wrong (EX_CONFIG).
    static let config = ExitCode(78)
    /// The command could not be executed (as in shells).
    static let cannotExecute = ExitCode(126)
    /// The command was not found (as in shells).
    static let commandNotFound = ExitCode(127)

    /// The table printed in `--help`.
    static let helpText = """
        Exit codes: the command's own status when it ran (also when only the release failed \
        afterwards); 64 bad usage; 69 Redis unreachable (within --wait); 70 internal error; 75 \
        lock not acquired in time; 76 the lease ended before the command did; \
        77 authentication or permission refused; 126 command not executable; 127 command not \
        found; 128+N the command was killed by signal N.
        """
}
