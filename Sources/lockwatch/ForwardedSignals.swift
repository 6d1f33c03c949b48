import Dispatch
import Glibc

/// Catches termination signals sent to `lockwatch` and passes them on to the child, so the
/// child decides when to stop and the lock is released after it does.
final class ForwardedSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32]) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            return DispatchSource.makeSignalSource(signal: number, queue: .global())
        }
    }

    /// From now on every caught signal goes to `child`.
    func forward(to child: ChildProcess) {
        for source in sources {
            let number = Int32(source.handle)
            source.setEventHandler { child.send(number) }
            source.resume()
        }
    }
}
