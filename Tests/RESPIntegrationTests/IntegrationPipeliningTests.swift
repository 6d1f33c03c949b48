import NIOCore
@testable import RESP
import RedisTestSupport
import Testing

/// Many concurrent callers on one pipelined connection, and batches.
@Suite("IntegrationPipeliningTests")
struct IntegrationPipeliningTests {
    /// Batches written without waiting are answered in the order written, each error reply
    /// fails only its own command, and a batch written after the connection closed fails.
    @Test func writtenBatchesAreAnsweredInOrderWhileTheWriterGoesOn() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            var pending: [PendingReplies] = []
            for round in 0 ..< 20 {
                var batch = RESPCommandBatch()
                batch.append("SET", "w:\(round)", "v\(round)")
                batch.append("INCR", "w:\(round)")  // not an integer: an error reply
                batch.append("GET", "w:\(round)")
                pending.append(connection.write(batch: batch))
            }
            for (round, replies) in pending.enumerated() {
                let results = try await replies.get()
                #expect(results.count == 3)
                #expect(try results[0].get().decode(as: String.self) == "OK")
                #expect(throws: RedisError.self) { try results[1].get() }
                #expect(try results[2].get().decode(as: String.self) == "v\(round)")
            }
            await connection.close()
            var late = RESPCommandBatch()
            late.append("PING")
            await #expect(throws: RedisError.self) { try await connection.write(batch: late).get() }
        }
    }

    /// 64 tasks × 60 rounds × 3 commands = 11,520 commands on ONE connection; every reply
    /// must reach the caller that sent the command.
    @Test func concurrentCallersOnOneConnectionGetTheirOwnReplies() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            let tasks = 64
            let rounds = 60
            let mismatches = try await Integration.within(.seconds(30), "11,520 pipelined commands") {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for task in 0 ..< tasks {
                        group.addTask {
                            var mismatches = 0
                            for round in 1 ... rounds {
                                let counter = try await connection.send("INCR", "counter:\(task)").decode(as: Int.self)
                                if counter != round { mismatches += 1 }
                                let value = "value-\(task)-\(round)-\(UInt64.random(in: 0 ... .max))"
                                let set = try await connection.send("SET", "key:\(task):\(round)", value).decode(as: String.self)
                                if set != "OK" { mismatches += 1 }
                                let read = try await connection.send("GET", "key:\(task):\(round)").decode(as: String?.self)
                                if read != value { mismatches += 1 }
                            }
                            return mismatches
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            #expect(mismatches == 0)
            #expect(tasks * rounds * 3 >= 10_000)

            let counters = try await connection.send(RESPCommand("MGET", (0 ..< tasks).map { "counter:\($0)" }))
                .decode(as: [String?].self)
            #expect(counters == Array(repeating: String(rounds), count: tasks))
            #expect(try await connection.send("DBSIZE").decode(as: Int.self) == tasks + tasks * rounds)
            await connection.close()
        }
    }

    /// A batch of 100 commands returns 100 results in order; only the failing one is a failure.
    @Test func batchReturnsResultsInOrderAndIsolatesTheError() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            _ = try await connection.send("SET", "text", "not a number")
            let failing = 57
            var commands: [RESPCommand] = []
            for index in 0 ..< 100 {
                switch index {
                case failing: commands.append(RESPCommand("INCR", "text"))
                case let i where i % 3 == 0: commands.append(RESPCommand("SET", "batch:\(i)", "v\(i)"))
                case let i where i % 3 == 1: commands.append(RESPCommand("INCR", "batch-counter"))
                default: commands.append(RESPCommand("ECHO", "echo-\(index)"))
                }
            }
            let results = try await connection.send(batch: commands)
            #expect(results.count == 100)

            var increments = 0
            for (index, result) in results.enumerated() {
                if index == failing {
                    guard case .failure(let error) = result else {
                        Issue.record("command \(index) (INCR on text) should fail, got \(result)")
                        continue
                    }
                    #expect(error.code == .serverError)
                    #expect(error.message.contains("not an integer"), "\(error)")
                    continue
                }
                guard case .success(let token) = result else {
                    Issue.record("command \(index) failed: \(result)")
                    continue
                }
                switch index % 3 {
                case 0:
                    #expect(try token.decode(as: String.self) == "OK", "command \(index)")
                case 1:
                    increments += 1
                    #expect(try token.decode(as: Int.self) == increments, "command \(index)")
                default:
                    #expect(try token.decode(as: String.self) == "echo-\(index)", "command \(index)")
                }
            }
            // The connection is still in step after the batch.
            #expect(try await connection.send("GET", "batch:99").decode(as: String?.self) == "v99")
            #expect(try await connection.send("GET", "batch-counter").decode(as: Int.self) == increments)

            // An empty batch is a no-op; batches run concurrently with single commands.
            #expect(try await connection.send(batch: []).isEmpty)
            async let single = connection.send("ECHO", "single")
            async let batch = connection.send(batch: [RESPCommand("ECHO", "b1"), RESPCommand("ECHO", "b2")])
            #expect(try await single.decode(as: String.self) == "single")
            #expect(try await batch.map { try $0.get().decode(as: String.self) } == ["b1", "b2"])
            await connection.close()
        }
    }

    /// Values much larger than one socket read, pipelined with small commands.
    @Test func largeValuesRoundTrip() async throws {
        try await withRedisServer { server in
            let connection = try await Integration.connect(server)
            // Random bytes (a 64 KiB random block repeated, with a distinct prefix per value).
            let block = (0 ..< 65_536).map { _ in UInt8.random(in: 0 ... 255) }
            let sizes = [0, 1, 65_535, 65_536, 1 << 20, 8 << 20]
            let values = sizes.enumerated().map { index, size in
                var buffer = ByteBuffer()
                while buffer.readableBytes < size { buffer.writeBytes(block.prefix(size - buffer.readableBytes)) }
                if size > 0 { buffer.setInteger(UInt8(index), at: 0) }
                return buffer
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, value) in values.enumerated() {
                    group.addTask {
                        _ = try await connection.send("SET", "big:\(index)", value)
                        let read = try await connection.send("GET", "big:\(index)").decode(as: ByteBuffer?.self)
                        #expect(read == value, "value of \(value.readableBytes) bytes")
                        #expect(try await connection.send("STRLEN", "big:\(index)").decode(as: Int.self) == value.readableBytes)
                    }
                    group.addTask {
                        let echoed = try await connection.send("ECHO", "small-\(index)").decode(as: String.self)
                        #expect(echoed == "small-\(index)")
                    }
                }
                try await group.waitForAll()
            }
            // Sequential commands isolated to the connection's executor.
            let sum = try await connection.withIsolation { connection in
                var sum = 0
                for _ in 0 ..< 500 { sum = try await connection.send("INCR", "isolated").decode(as: Int.self) }
                return sum
            }
            #expect(sum == 500)
            await connection.close()
        }
    }

    /// The reconnecting client sends batches too.
    @Test func clientBatch() async throws {
        try await withRedisServer { server in
            let client = RedisClient(configuration: try Integration.configuration(server))
            let results = try await client.send(batch: [
                RESPCommand("SET", "a", "1"), RESPCommand("HSET", "a", "f", "v"), RESPCommand("GET", "a"),
            ])
            #expect(results.count == 3)
            #expect(try results[0].get().decode(as: String.self) == "OK")
            guard case .failure(let error) = results[1] else {
                Issue.record("HSET on a string should fail: \(results[1])")
                await client.shutdown()
                return
            }
            #expect(error.code == .serverError)
            #expect(error.serverErrorPrefix == "WRONGTYPE")
            #expect(try results[2].get().decode(as: String?.self) == "1")
            await client.shutdown()
            try await Integration.expectError(.clientShutDown, "send after shutdown") {
                try await client.send("PING")
            }
        }
    }
}
