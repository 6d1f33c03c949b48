import NIOCore

extension RedisError {
    /// An error reply written by a Codis proxy itself (`ERR handle request, …` or
    /// `ERR handle response, …`), not by Redis behind it.
    var isCodisReply: Bool {
        code == .serverError && (message.hasPrefix("ERR handle request, ") || message.hasPrefix("ERR handle response, "))
    }

    /// Codis refusing a command it does not forward: `ERR handle request, command 'X' is not
    /// allowed` (`CLIENT`, `SCRIPT`, `TIME`, `SCAN`, `SUBSCRIBE`, …).
    var isCodisRefusal: Bool {
        isCodisReply && message.hasPrefix("ERR handle request, command '") && message.hasSuffix("' is not allowed")
    }

    /// Codis could not pass the command on, typically right after the proxy or a codis-server
    /// started: `ERR handle response, backend conn failure, …` or `… backend conn reset` (its
    /// connection to the group's server is not up) or `ERR handle request, slot is not
    /// ready, …`. Sending the command again a little later succeeds. (A backend that fails
    /// after running a command also answers `backend conn …`: such a command may run twice.)
    var isCodisBackendHiccup: Bool {
        isCodisReply
            && (message.hasPrefix("ERR handle response, backend conn failure") || message.hasPrefix("ERR handle response, backend conn reset")
                || message.hasPrefix("ERR handle request, slot is not ready"))
    }

    /// The server's text with control and non-ASCII bytes escaped, for log lines.
    var escapedServerMessage: String {
        let bytes = ByteBuffer(string: message)
        return RESPLineParsing.preview(of: bytes, from: bytes.readerIndex, to: bytes.writerIndex)
    }
}
