import Glibc

/// Checks whether a redis server answers, using plain POSIX sockets (no TLS, no RESP library).
enum SocketProbe {
    /// Where to reach the server.
    enum Endpoint: Sendable {
        case tcp(port: Int)
        case unix(path: String)
    }

    /// `true` when a connection to `endpoint` can be established (used for TLS listeners).
    static func canConnect(to endpoint: Endpoint) -> Bool {
        guard let descriptor = connect(to: endpoint) else { return false }
        close(descriptor)
        return true
    }

    /// `true` when the server answers an inline `PING` with a reply that shows it serves
    /// commands: `+PONG`, or an authentication error when a password or ACL is required.
    static func ping(_ endpoint: Endpoint) -> Bool {
        guard let descriptor = connect(to: endpoint) else { return false }
        defer { close(descriptor) }

        let request = Array("PING\r\n".utf8)
        let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return false }

        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while !reply.contains(UInt8(ascii: "\n")), reply.count < 4096 {
            let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { return false }
            reply += chunk[0..<received]
        }
        let line = String(decoding: reply, as: UTF8.self)
        return line.hasPrefix("+PONG") || line.hasPrefix("-NOAUTH") || line.hasPrefix("-WRONGPASS")
            || line.hasPrefix("-NOPERM")
    }

    /// A connected, close-on-exec socket with one-second send/receive timeouts, or `nil`.
    private static func connect(to endpoint: Endpoint) -> Int32? {
        let descriptor: Int32
        let connected: Int32
        switch endpoint {
        case .tcp(let port):
            descriptor = SocketAddress.makeStreamSocket(family: AF_INET)
            guard descriptor >= 0 else { return nil }
            setTimeouts(descriptor)
            var address = SocketAddress.loopback(port: port)
            connected = SocketAddress.withGenericPointer(to: &address) { Glibc.connect(descriptor, $0, $1) }
        case .unix(let path):
            guard var address = SocketAddress.unix(path: path) else { return nil }
            descriptor = SocketAddress.makeStreamSocket(family: AF_UNIX)
            guard descriptor >= 0 else { return nil }
            setTimeouts(descriptor)
            connected = SocketAddress.withGenericPointer(to: &address) { Glibc.connect(descriptor, $0, $1) }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    private static func setTimeouts(_ descriptor: Int32) {
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
    }
}
