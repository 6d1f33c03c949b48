import Foundation
import Glibc
import LocalRedis
import Synchronization

/// The command `lockwatch hold` runs, with everything it starts: it is spawned with
/// `posix_spawnp` into a session and process group of its own (id = its pid), with a clean
/// signal mask and default handlers, sharing our stdin, stdout and stderr.
///
/// `lockwatch` makes itself a child subreaper first, so processes the command leaves behind
/// (`sh -c 'writer & wait'`, a shell killed before its children) become our children when
/// their parent ends; the group is gone only when its last member has been reaped, here.
/// Reaping happens under the same lock as signalling, and a signal is sent only while a
/// member (running or a zombie) keeps the group's id in use, so no signal can reach a process
/// that reused the id.
final class CommandProcessGroup: Sendable {
    /// The command's pid, which is also the id of its process group and session.
    let leader: pid_t
    private let state = Mutex(State())

    private struct State {
        /// The command's own exit status, once it has been reaped.
        var leaderStatus: Int32?
        /// Every member has been reaped: the group's id may belong to someone else now.
        var gone = false
    }

    /// Why the command could not start.
    struct SpawnError: Error {
        let code: Int32
        let message: String
    }

    private init(leader: pid_t) {
        self.leader = leader
    }

    /// Starts `arguments[0]` (looked up in `PATH`) with `extraEnvironment` added to ours.
    static func spawn(_ arguments: [String], extraEnvironment: [String: String]) throws(SpawnError) -> CommandProcessGroup {
        ChildSubreaper.enable()
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extraEnvironment { environment[key] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let result = CleanSpawnAttributes.with(newSession: true) { attributes in
            posix_spawnp(&pid, arguments[0], nil, &attributes, argv, envp)
        }
        guard result == 0 else {
            throw SpawnError(code: result, message: String(cString: strerror(result)))
        }
        return CommandProcessGroup(leader: pid)
    }

    /// Sends `signal` to every process of the group; does nothing once the group is gone.
    func send(_ signal: Int32) {
        state.withLock { state in
            if !state.gone { _ = kill(-leader, signal) }
        }
    }

    /// Waits until every process of the group has ended and been reaped; returns the command's
    /// exit status, or 128 + the signal that killed it. `outlived` is called (once) with that
    /// status when the command has ended but processes it started still run.
    func waitUntilGone(outlived: @escaping @Sendable (Int32) -> Void) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.reapUntilGone(outlived: outlived)) }
        }
    }

    private func reapUntilGone(outlived: @Sendable (Int32) -> Void) -> Int32 {
        var toldOutlived = false
        while true {
            // Sleeps until a member has ended, without reaping it: reaping happens below, under
            // the lock `send` takes, so a zombie keeps the group's id reserved until then.
            var info = siginfo_t()
            if waitid(P_PGID, id_t(leader), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR { continue }
            let status: Int32? = state.withLock { state in
                while true {
                    var status: Int32 = 0
                    let pid = waitpid(-leader, &status, WNOHANG)
                    if pid == leader { state.leaderStatus = Self.exitStatus(status) }
                    if pid > 0 || (pid == -1 && errno == EINTR) { continue }
                    if pid == 0 { return nil }
                    // ECHILD: no member is left, running or not yet reaped.
                    state.gone = true
                    return state.leaderStatus ?? 0
                }
            }
            if let status { return status }
            if !toldOutlived, let status = state.withLock({ $0.leaderStatus }) {
                toldOutlived = true
                outlived(status)
            }
        }
    }

    /// The shell's convention: the exit status, or 128 + the signal that ended the process.
    private static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
