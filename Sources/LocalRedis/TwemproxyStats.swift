import Glibc

extension Twemproxy {
    /// Reads what nutcracker's stats port sends on connect (one JSON object, then EOF).
    enum StatsReader {
        static func read(port: Int) throws(RedisServerError) -> String {
            let descriptor = SocketAddress.makeStreamSocket(family: AF_INET)
            guard descriptor >= 0 else { throw .system("socket()", errno: errno) }
            defer { close(descriptor) }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = SocketAddress.loopback(port: port)
            guard SocketAddress.withGenericPointer(to: &address, { connect(descriptor, $0, $1) }) == 0 else {
                throw .system("connect(127.0.0.1:\(port))", errno: errno)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while bytes.count < 1 << 20 {
                let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if received == 0 { break }
                guard received > 0 else { throw .system("recv(stats port \(port))", errno: errno) }
                bytes += chunk[0 ..< received]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
