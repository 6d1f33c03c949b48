public import NIOCore

/// Commands encoded one after another into one buffer, for one write with
/// ``RedisConnection/send(batch:timeout:)-(RESPCommandBatch,_)``: no buffer per command and no
/// copy when sent, which matters when a batch holds thousands of small commands.
///
/// ```swift
/// var batch = RESPCommandBatch()
/// for key in keys { batch.append("PTTL", key) }
/// let replies = try await client.send(batch: batch)  // one reply per command, in order
/// ```
public struct RESPCommandBatch: Sendable {
    @usableFromInline var storage: ByteBuffer
    @usableFromInline var commandCount = 0

    /// An empty batch with room for `capacity` bytes (it grows as needed).
    public init(capacity: Int = 1024) {
        storage = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// The commands, encoded.
    public var bytes: ByteBuffer { storage }
    /// How many commands (and so replies) the batch holds.
    public var count: Int { commandCount }
    /// Whether it holds no command.
    public var isEmpty: Bool { commandCount == 0 }

    /// Appends the command made of `arguments` (the first is its name).
    @inlinable
    public mutating func append<each Argument: RESPArgument>(_ arguments: repeat each Argument) {
        RESPCommand.encode(repeat each arguments, into: &storage)
        commandCount += 1
    }

    /// Appends a command encoded before.
    public mutating func append(_ command: RESPCommand) {
        storage.writeImmutableBuffer(command.bytes)
        commandCount += 1
    }
}
