/// Why the terminal could not be taken over.
public enum TerminalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Standard input or output is not a terminal.
    case notATerminal
    /// ncurses could not set the terminal up (unknown `TERM`, …).
    case setupFailed(term: String)

    /// A message for the operator.
    public var description: String {
        switch self {
        case .notATerminal: "the dashboard needs a terminal on standard input and output"
        case .setupFailed(let term): "cannot set up the terminal (TERM=\(term))"
        }
    }
}
