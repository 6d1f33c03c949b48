import NIOCore
import NIOEmbedded
import Testing

@testable import RESP

/// The connection's reply matching as a pure state machine: requests in, tokens in, actions
/// out. Batch waiters are promises on an embedded loop, so every case runs without a socket.
@Suite struct RequestQueueTests {
    private let loop = EmbeddedEventLoop()
    private let farFuture = NIODeadline.now() + .hours(1)

    /// A many-reply waiter and the future that sees what it was resumed with.
    private func batchWaiter() -> (PendingRequest.Waiter, EventLoopFuture<[RESPToken]>) {
        let promise = loop.makePromise(of: [RESPToken].self)
        return (.many(.promise(promise)), promise.futureResult)
    }

    /// Resumes a batch waiter the way the connection does, so the future completes.
    private func perform(_ action: RequestQueue.Action) {
        switch action {
        case .resumeMany(let waiter, let replies): waiter.succeed(replies)
        default: break
        }
    }

    /// The decoded replies a completed future holds, as the text of each token.
    private func texts(_ future: EventLoopFuture<[RESPToken]>) throws -> [String] {
        try future.wait().map { "\($0)" }
    }

    @Test func repliesAreMatchedToRequestsInTheOrderTheyWereSent() throws {
        var queue = RequestQueue()
        let (first, firstReplies) = batchWaiter()
        let (second, secondReplies) = batchWaiter()
        queue.append(id: 1, label: .text("first"), deadline: farFuture, replies: 2, waiter: first)
        queue.append(id: 2, label: .text("second"), deadline: farFuture, replies: 1, waiter: second)

        let tokens = try ["+a\r\n", ":1\r\n", "$1\r\nc\r\n"].map { try codecDecodeOne($0) }
        guard case .none = queue.receive(tokens[0], pushFraming: false) else {
            Issue.record("the first of two replies must not resume the batch")
            return
        }
        perform(queue.receive(tokens[1], pushFraming: false))
        perform(queue.receive(tokens[2], pushFraming: false))

        #expect(try texts(firstReplies) == ["\(tokens[0])", "\(tokens[1])"])
        #expect(try texts(secondReplies) == ["\(tokens[2])"])
        #expect(queue.isEmpty)
    }

    @Test func aServerErrorResumesASingleWaiterWithATypedError() async throws {
        var queue = RequestQueue()
        let reply = try codecDecodeOne("-NOPERM this user has no permissions\r\n")
        do {
            _ = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RESPToken, any Error>) in
                queue.append(id: 7, label: .text("GET"), deadline: farFuture, replies: 1, waiter: .single(continuation))
                guard case .resumeSingle(let waiter, let result) = queue.receive(reply, pushFraming: false) else {
                    continuation.resume(throwing: RedisError(.unexpectedReply, "the error reply did not resume its waiter"))
                    return
                }
                waiter.resume(with: result)
            }
            Issue.record("an error reply must fail the command")
        } catch let error as RedisError {
            #expect(error.code == .permissionDenied)
        }
        #expect(queue.isEmpty)
    }

    @Test func aReplyNobodyAskedForClosesTheConnection() throws {
        var queue = RequestQueue()
        guard case .close(let error) = queue.receive(try codecDecodeOne("+OK\r\n"), pushFraming: false) else {
            Issue.record("an unsolicited reply must close the connection")
            return
        }
        #expect(error.code == .protocolViolation)
    }

    @Test func anAbandonedRequestStillConsumesItsRepliesSoLaterOnesMatch() throws {
        var queue = RequestQueue()
        let (gaveUp, gaveUpReplies) = batchWaiter()
        let (next, nextReplies) = batchWaiter()
        queue.append(id: 1, label: .text("slow"), deadline: farFuture, replies: 2, waiter: gaveUp)
        queue.append(id: 2, label: .text("next"), deadline: farFuture, replies: 1, waiter: next)
        let tokens = try [":1\r\n", ":2\r\n", ":3\r\n"].map { try codecDecodeOne($0) }

        _ = queue.receive(tokens[0], pushFraming: false)  // half of the slow batch arrived
        guard let handedBack = queue.abandon(id: 1), case .many = handedBack else {
            Issue.record("abandoning a waiting batch must hand back its waiter")
            return
        }
        handedBack.fail(RedisError(.timeout, "gave up"))  // what the connection does with it
        #expect(throws: RedisError.self) { try gaveUpReplies.wait() }
        guard case .none = queue.receive(tokens[1], pushFraming: false) else {
            Issue.record("the abandoned batch's last reply must be dropped")
            return
        }
        perform(queue.receive(tokens[2], pushFraming: false))
        #expect(try texts(nextReplies) == ["\(tokens[2])"])
        #expect(queue.abandon(id: 1) == nil)
    }

    @Test func expiryAbandonsOverdueRequestsAndFlagsAnUnresponsiveServer() throws {
        var queue = RequestQueue()
        let start = NIODeadline.now()
        let (early, _) = batchWaiter()
        let (late, _) = batchWaiter()
        queue.append(id: 1, label: .text("early"), deadline: start + .milliseconds(10), replies: 1, waiter: early)
        queue.append(id: 2, label: .text("late"), deadline: start + .seconds(10), replies: 1, waiter: late)
        #expect(queue.nextCheck(grace: .seconds(1)) == start + .milliseconds(10))

        let first = queue.expire(now: start + .milliseconds(20), grace: .seconds(1))
        #expect(first.expired.map(\.1) == ["early"])
        for (waiter, _) in first.expired { waiter.fail(RedisError(.timeout, "expired")) }
        #expect(!first.unresponsive)
        // The abandoned head still bounds the check: it becomes overdue by the grace period.
        #expect(queue.nextCheck(grace: .seconds(1)) == start + .milliseconds(1010))

        let second = queue.expire(now: start + .seconds(2), grace: .seconds(1))
        #expect(second.expired.isEmpty)
        #expect(second.unresponsive)
        let remaining = queue.removeAll()
        #expect(remaining.count == 2)
        for waiter in remaining { waiter.fail(RedisError(.connectionClosed, "closed")) }
        #expect(queue.isEmpty)
    }

    @Test func aSubscribeConfirmationEndsTheSubscribeRequestAndMessagesAreDelivered() throws {
        var queue = RequestQueue()
        let (subscribe, confirmations) = batchWaiter()
        queue.append(id: 1, label: .text("SUBSCRIBE"), deadline: farFuture, replies: 1, confirmation: .subscribe, waiter: subscribe)
        let confirmation = try codecDecodeOne(">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n")
        perform(queue.receive(confirmation, pushFraming: false))
        #expect(try texts(confirmations).count == 1)

        let message = try codecDecodeOne(">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n")
        guard case .deliver(let delivered) = queue.receive(message, pushFraming: false) else {
            Issue.record("a message push must be delivered")
            return
        }
        #expect(delivered.channel == "news")
        #expect(String(buffer: delivered.payload) == "hi")
    }
}
