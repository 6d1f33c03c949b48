import Glibc

/// Finds a TCP port on 127.0.0.1 that is free right now.
///
/// The port is only free at the moment of the call: another process (or a parallel test)
/// may take it before redis-server binds it, so callers must retry on "Address already in use".
enum FreePort {
    static func find() throws(RedisServerError) -> Int {
        let descriptor = SocketAddress.makeStreamSocket(family: AF_INET)
        guard descriptor >= 0 else { throw .system("socket()", errno: errno) }
        defer { close(descriptor) }

        var address = SocketAddress.loopback(port: 0)
        let bound = SocketAddress.withGenericPointer(to: &address) { bind(descriptor, $0, $1) }
        guard bound == 0 else { throw .system("bind(127.0.0.1:0)", errno: errno) }

        var assigned = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &assigned) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw .system("getsockname()", errno: errno) }
        return Int(UInt16(bigEndian: assigned.sin_port))
    }
}
