import NIOCore

/// One command (or batch) sent on a connection whose replies have not all arrived yet.
struct PendingRequest {
    /// Who is waiting for the replies.
    enum Waiter {
        /// A single command; resumed with its one reply.
        case single(CheckedContinuation<RESPToken, any Error>)
        /// A batch or a pub/sub request; resumed with every reply in order.
        case many(BatchWaiter)
        /// The caller gave up (timeout or cancellation); replies are read and dropped so the
        /// stream stays in step.
        case abandoned

        /// Resumes the waiter with an error; does nothing for an abandoned request.
        func fail(_ error: RedisError) {
            switch self {
            case .single(let continuation): continuation.resume(throwing: error)
            case .many(let waiter): waiter.fail(error)
            case .abandoned: break
            }
        }
    }

    /// Who takes a batch's replies: a suspended caller, or a promise for a caller that wrote
    /// the batch and went on working (``RedisConnection/write(batch:timeout:)``).
    enum BatchWaiter {
        case continuation(CheckedContinuation<[RESPToken], any Error>)
        case promise(EventLoopPromise<[RESPToken]>)

        func succeed(_ replies: [RESPToken]) {
            switch self {
            case .continuation(let continuation): continuation.resume(returning: replies)
            case .promise(let promise): promise.succeed(replies)
            }
        }

        func fail(_ error: RedisError) {
            switch self {
            case .continuation(let continuation): continuation.resume(throwing: error)
            case .promise(let promise): promise.fail(error)
            }
        }
    }

    /// Identifies the request for cancellation.
    let id: UInt64
    /// When the caller stops waiting.
    let deadline: NIODeadline
    /// What was sent, named for timeout messages only when one happens.
    let label: RequestLabel
    /// Replies still to come.
    var remaining: Int
    /// For pub/sub commands: the push kind that confirms each channel (`subscribe`, …).
    var confirmation: PubSubConfirmation?
    /// Who is waiting.
    var waiter: Waiter
}

/// The push kinds that confirm subscribe and unsubscribe commands, one per channel.
enum PubSubConfirmation: String, Sendable {
    case subscribe, unsubscribe, psubscribe, punsubscribe, ssubscribe, sunsubscribe
}

/// Names a request in messages; the command name is parsed only when a message needs it.
enum RequestLabel {
    /// One encoded command.
    case command(ByteBuffer)
    /// A fixed description such as "batch of 16".
    case text(String)

    var description: String {
        switch self {
        case .command(let bytes): RESPCommand(encoded: bytes).name
        case .text(let text): text
        }
    }
}
