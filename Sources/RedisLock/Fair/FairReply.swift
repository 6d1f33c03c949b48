import RESP

/// What ``FairScripts/acquire`` answered.
enum FairReply: Sendable {
    /// The caller holds the lock with this record and fence.
    case acquired(value: String, fence: Int64)
    /// Someone else holds it (or was just handed it); the caller waits (or, without a
    /// deadline, did not queue). `serverNow` is the server's clock when the script ran.
    case waiting(LockHolder, serverNow: Int64)

    /// Decodes `{status, value, fence or PTTL, now}`.
    init(_ reply: RESPToken) throws(RedisError) {
        guard case .array(let parts) = reply.value, parts.count == 4 else {
            throw reply.unexpected("[status, value, fence or ttl, now]")
        }
        var iterator = parts.makeIterator()
        let acquired = try Int(fromRESP: iterator.next()!) == 1
        let value = try String?(fromRESP: iterator.next()!)
        let number = try Int64(fromRESP: iterator.next()!)
        let now = try Int64(fromRESP: iterator.next()!)
        if acquired, let value {
            self = .acquired(value: value, fence: number)
        } else {
            self = .waiting(LockHolder(value: value ?? "", remaining: number >= 0 ? .milliseconds(number) : nil), serverNow: now)
        }
    }
}
