import Dispatch
import Glibc
import Synchronization

/// Catches termination signals sent to `lockwatch` and passes them on to the command's whole
/// process group, so the command decides when to stop and the lock is released after every
/// process of it has ended. Nothing is sent once the group is gone.
///
/// Made (and listening) before the command is spawned: a signal that arrives before the group
/// is known is kept and sent as soon as it is, so none is lost in between.
final class ForwardedSignals: Sendable {
    /// Where caught signals go: the group once known, else a list to send it later.
    private final class Target: Sendable {
        struct State {
            var group: CommandProcessGroup?
            var pending: [Int32] = []
        }

        let state = Mutex(State())
    }

    private let target = Target()
    /// Kept alive (and started at once: a source that is never started crashes libdispatch
    /// when freed).
    private let sources: [SignalSource]

    init(_ signals: [Int32]) {
        let target = self.target
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let group = target.state.withLock { target in
                    if target.group == nil { target.pending.append(number) }
                    return target.group
                }
                group?.send(number)
            }
            source.resume()
            return SignalSource(source)
        }
    }

    /// From now on every caught signal goes to `group`, starting with those caught before.
    func forward(to group: CommandProcessGroup) {
        let pending = target.state.withLock { target in
            target.group = group
            defer { target.pending = [] }
            return target.pending
        }
        for number in pending { group.send(number) }
    }

    /// A started signal source; libdispatch sources are thread-safe.
    private struct SignalSource: @unchecked Sendable {
        let source: any DispatchSourceSignal
        init(_ source: any DispatchSourceSignal) { self.source = source }
    }
}
