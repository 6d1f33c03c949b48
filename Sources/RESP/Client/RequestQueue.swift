import NIOCore

/// The reply-matching logic of one connection, free of I/O: requests go in when sent, replies
/// (tokens) go in as they arrive, and it says which waiter to resume with what.
///
/// Replies arrive in the order requests were sent. A request whose caller gave up stays in the
/// queue as `abandoned` until its replies arrive, so later replies still match their requests.
struct RequestQueue {
    /// What the connection must do after an event.
    enum Action {
        /// Nothing.
        case none
        /// Resume a single-reply waiter.
        case resumeSingle(CheckedContinuation<RESPToken, any Error>, Result<RESPToken, RedisError>)
        /// Resume a many-reply waiter.
        case resumeMany(PendingRequest.BatchWaiter, [RESPToken])
        /// Deliver a pub/sub message to subscribers.
        case deliver(RedisPubSubMessage)
        /// The stream is out of step: close the connection with this error.
        case close(RedisError)
    }

    private var pending = CircularBuffer<PendingRequest>(initialCapacity: 16)
    /// The replies so far of the oldest request, when it waits for many. Kept here rather than
    /// in the request: appending through the queue's subscript copied the array every time,
    /// which made a batch of n commands cost O(n²) (seconds for 100k-key inspections).
    private var headReplies: [RESPToken] = []
    /// Whether no replies are outstanding.
    var isEmpty: Bool { pending.isEmpty }

    /// Adds a sent request.
    mutating func append(
        id: UInt64,
        label: RequestLabel,
        deadline: NIODeadline,
        replies: Int,
        confirmation: PubSubConfirmation? = nil,
        waiter: PendingRequest.Waiter
    ) {
        pending.append(PendingRequest(
            id: id, deadline: deadline, label: label, remaining: replies,
            confirmation: confirmation, waiter: waiter
        ))
    }

    /// Takes one token read from the server. `pushFraming` is set for RESP2 subscriber
    /// connections, where pub/sub frames are plain arrays.
    mutating func receive(_ token: RESPToken, pushFraming: Bool) -> Action {
        if let push = PubSubFrame(token, arraysArePushes: pushFraming) {
            switch push {
            case .message(let message):
                return .deliver(message)
            case .confirmation(let kind):
                guard let head = pending.first, head.confirmation == kind else {
                    return .none  // unsolicited, e.g. sunsubscribe after a slot moved
                }
                return consumeReply(token, final: false)
            case .other:
                return .none
            }
        }
        guard !pending.isEmpty else {
            return .close(RedisError(.protocolViolation, "the server sent a reply nobody asked for: '\(token)'"))
        }
        // A plain reply to a pub/sub command is its error: it ends the request.
        return consumeReply(token, final: pending.first!.confirmation != nil)
    }

    private mutating func consumeReply(_ token: RESPToken, final: Bool) -> Action {
        let head = pending.startIndex
        let expected = pending[head].remaining
        pending[head].remaining = expected - 1
        let done = final || expected == 1
        switch pending[head].waiter {
        case .single(let continuation):
            guard done else { return .none }
            pending.removeFirst()
            switch token.value {
            case .simpleError(let text), .bulkError(let text):
                return .resumeSingle(continuation, .failure(RedisError.fromServer(message: String(buffer: text))))
            default:
                return .resumeSingle(continuation, .success(token))
            }
        case .many(let waiter):
            if headReplies.isEmpty { headReplies.reserveCapacity(expected) }
            headReplies.append(token)
            guard done else { return .none }
            pending.removeFirst()
            let replies = headReplies
            headReplies = []
            return .resumeMany(waiter, replies)
        case .abandoned:
            if done { pending.removeFirst() }
            return .none
        }
    }

    /// Gives up on request `id` (its caller was cancelled); returns its waiter to fail.
    mutating func abandon(id: UInt64) -> PendingRequest.Waiter? {
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return nil }
        let waiter = pending[index].waiter
        pending[index].waiter = .abandoned
        if index == pending.startIndex { headReplies = [] }
        return waiter
    }

    /// Abandons every request whose deadline has passed and returns their waiters with the
    /// commands' names. `unresponsive` is true when the oldest request is overdue by more
    /// than `grace`: the server is not answering and the connection should close.
    mutating func expire(now: NIODeadline, grace: TimeAmount) -> (expired: [(PendingRequest.Waiter, String)], unresponsive: Bool) {
        var expired: [(PendingRequest.Waiter, String)] = []
        for index in pending.indices where pending[index].deadline <= now {
            if case .abandoned = pending[index].waiter { continue }
            expired.append((pending[index].waiter, pending[index].label.description))
            pending[index].waiter = .abandoned
            if index == pending.startIndex { headReplies = [] }
        }
        let unresponsive = pending.first.map { $0.deadline + grace <= now } ?? false
        return (expired, unresponsive)
    }

    /// When the timer must next look at the queue: the earliest deadline someone still waits
    /// for, or the moment the oldest request becomes overdue by `grace`.
    func nextCheck(grace: TimeAmount) -> NIODeadline? {
        guard let head = pending.first else { return nil }
        var earliest = head.deadline + grace
        for request in pending {
            if case .abandoned = request.waiter { continue }
            earliest = min(earliest, request.deadline)
        }
        return earliest
    }

    /// Removes every request and returns the waiters, for failing them all.
    mutating func removeAll() -> [PendingRequest.Waiter] {
        let waiters = pending.map(\.waiter)
        pending.removeAll()
        headReplies = []
        return waiters
    }
}
