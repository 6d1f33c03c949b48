/// A problem with the contexts file or the context asked for: one line that says what to do.
struct ConfigError: Error, Equatable, CustomStringConvertible {
    /// What kind of problem it is.
    enum Code: String, Sendable {
        /// The file could not be read.
        case unreadable
        /// The file is not valid TOML.
        case syntax
        /// A key lockwatch does not know (a typo in `readonly` must not pass silently).
        case unknownKey
        /// A value of the wrong type or out of range.
        case invalidValue
        /// A password written into the file or the URL instead of referenced.
        case inlinePassword
        /// The named context is not in the file.
        case missingContext
        /// The referenced password (environment variable or file) is not there.
        case missingPassword
        /// `config init` would overwrite an existing file.
        case exists
    }

    /// What kind of problem it is.
    let code: Code
    /// The message shown to the operator.
    let message: String

    var description: String { message }
}
