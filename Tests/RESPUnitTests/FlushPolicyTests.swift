import NIOCore
import NIOEmbedded
@testable import RESP
import Testing

/// When the channel handler flushes: at once when nothing else is in flight or enough requests
/// are waiting, otherwise once at the end of the event loop's tick.
@Suite struct FlushPolicyTests {
    @Test func flushesAtOnceWhenIdleOrEnoughAreWaitingAndTheRestAtTheEndOfTheTick() throws {
        let channel = EmbeddedChannel()
        let handler = RedisChannelHandler(limits: RESPLimits(), unresponsiveGrace: .seconds(5))
        try channel.pipeline.syncOperations.addHandler(handler)
        let requests = 1 + RedisChannelHandler.flushEvery + 3
        for id in 0 ..< requests {
            let error = handler.send(
                RESPCommand("PING").bytes, id: UInt64(id), label: .text("PING"), deadline: .now() + .seconds(5),
                replies: 1, waiter: .abandoned)
            #expect(error == nil)
        }
        // The first went out alone (nothing in flight), then the next 16 together; the last 3
        // wait for the end of the tick.
        #expect(try outboundWrites(channel) == 1 + RedisChannelHandler.flushEvery)
        channel.embeddedEventLoop.run()
        #expect(try outboundWrites(channel) == 3)
        _ = try? channel.finish()
    }

    private func outboundWrites(_ channel: EmbeddedChannel) throws -> Int {
        var count = 0
        while try channel.readOutbound(as: ByteBuffer.self) != nil { count += 1 }
        return count
    }
}
