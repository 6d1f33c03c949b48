import Glibc
import Synchronization

/// Standard output for commands that stream: text is written through at once (no stdio
/// buffer between a row and the reader), and a reader that went away (`| head -3`) ends
/// the output quietly instead of killing the process with SIGPIPE.
final class LineOutput: Sendable {
    private let closed = Mutex(false)

    /// Ignores SIGPIPE for the rest of the process, so a closed pipe is an `EPIPE` here.
    init() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Whether the reader went away.
    var isClosed: Bool { closed.withLock { $0 } }

    /// Writes `text` whole; `false` once the reader has gone away.
    @discardableResult
    func write(_ text: String) -> Bool {
        closed.withLock { closed in
            guard !closed else { return false }
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let written = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    closed = true  // EPIPE, or any other failure: nothing more can be shown
                    return false
                }
                bytes = bytes.dropFirst(written)
            }
            return true
        }
    }
}
