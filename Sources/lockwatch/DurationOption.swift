import ArgumentParser
import RESP

/// A duration flag value: `500ms`, `10s`, `2m` (a bare number means seconds).
struct DurationOption: ExpressibleByArgument, Sendable, CustomStringConvertible {
    /// The parsed duration.
    let duration: Duration
    private let text: String

    init?(argument: String) {
        guard let duration = try? Duration(parsing: argument) else { return nil }
        self.duration = duration
        self.text = argument
    }

    var description: String { text }
    var defaultValueDescription: String { text }
}
