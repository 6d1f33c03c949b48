public import NIOCore

/// A command ready to send: its arguments already encoded as a RESP array of bulk strings,
/// written once, straight into the buffer that goes to the socket.
///
/// ```swift
/// let set = RESPCommand("SET", key, value, "PX", 30_000, "NX")
/// let del = RESPCommand("DEL", keys)  // an array expands to one argument per element
/// ```
public struct RESPCommand: Sendable, CustomStringConvertible {
    /// The encoded command.
    public let bytes: ByteBuffer

    /// Encodes the arguments; the first one is the command name.
    @inlinable
    public init<each Argument: RESPArgument>(_ arguments: repeat each Argument) {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        Self.encode(repeat each arguments, into: &buffer)
        self.bytes = buffer
    }

    /// Writes the command made of `arguments` at the end of `buffer`.
    @inlinable
    static func encode<each Argument: RESPArgument>(_ arguments: repeat each Argument, into buffer: inout ByteBuffer) {
        var count = 0
        for argument in repeat each arguments { count += argument.respArgumentCount }
        buffer.writeInteger(UInt8(ascii: "*"))
        buffer.writeDecimal(count)
        buffer.writeCRLF()
        for argument in repeat each arguments { argument.writeRESPArguments(into: &buffer) }
    }

    /// Wraps bytes that already hold one RESP-encoded command.
    package init(encoded bytes: ByteBuffer) {
        self.bytes = bytes
    }

    /// The command name in upper case, for messages (`"SET"`).
    public var name: String {
        guard let token = RESPToken(validating: bytes),
              case .array(let arguments) = token.value,
              let first = arguments.first(where: { _ in true }),
              case .bulkString(let name) = first.value else { return "?" }
        return String(buffer: name).uppercased()
    }

    /// The command name and argument count; arguments are left out since they may be secret.
    public var description: String {
        guard let token = RESPToken(validating: bytes), case .array(let arguments) = token.value else {
            return "RESPCommand(?)"
        }
        return "\(name) (\(max(arguments.count - 1, 0)) arguments)"
    }
}
