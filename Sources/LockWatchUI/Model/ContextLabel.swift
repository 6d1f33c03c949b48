/// The configured context the dashboard watches (e.g. `PRODUCTION` in red), drawn at the start
/// of the header so that which deployment is on screen is unmistakable.
public struct ContextLabel: Sendable, Hashable {
    /// The text (sanitized when drawn).
    public let text: String
    /// Its colour (drawn in reverse video, as a coloured block).
    public let colour: TerminalColor

    /// Makes a label.
    public init(text: String, colour: TerminalColor) {
        self.text = text
        self.colour = colour
    }
}
