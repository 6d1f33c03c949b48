import Foundation
import Glibc
import Synchronization

/// A TCP proxy on a free loopback port in front of a redis-server, for forcing network
/// faults at exact moments: hold back the server's replies (the commands still reach the
/// server and run), drop every proxied connection (both sides see it close), or stop
/// accepting connections (new connects are refused, as from a server that is down).
///
/// Each connection is pumped by a thread of its own with blocking sockets; the proxy is for
/// tests, not for load. Call ``stop()`` when done (the threads end with their sockets).
public final class FaultProxy: Sendable {
    private struct State {
        var listener: Int32 = -1
        var connections: [Int: (client: Int32, server: Int32)] = [:]
        var nextID = 0
        var holdingReplies = false
        var accepted = 0
        var stopped = false
    }

    /// The port the proxy listens on (the same after ``stopAccepting()`` and
    /// ``startAccepting()``).
    public let port: Int
    /// The port of the server it forwards to.
    public let targetPort: Int
    private let state = Mutex(State())

    /// `redis://127.0.0.1:PORT` for the proxy.
    public var url: String { "redis://\(SocketAddress.loopback):\(port)" }

    /// Starts a proxy that forwards to `127.0.0.1:targetPort`.
    public init(forwardingTo targetPort: Int) throws {
        self.targetPort = targetPort
        let listener = try Self.listen(port: 0)
        var assigned = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &assigned) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: assigned.sin_port))
        state.withLock { $0.listener = listener }
        startAcceptThread(listener)
    }

    /// How many connections the proxy has accepted so far.
    public var acceptedConnections: Int { state.withLock { $0.accepted } }

    /// How many proxied connections are open now.
    public var openConnections: Int { state.withLock { $0.connections.count } }

    /// From now on the server's replies are read but kept back, until ``releaseReplies()``.
    public func holdReplies() {
        state.withLock { $0.holdingReplies = true }
    }

    /// Sends the replies held back so far, and lets later ones through.
    public func releaseReplies() {
        state.withLock { $0.holdingReplies = false }
    }

    /// Closes every proxied connection on both sides (replies held back are dropped).
    public func dropConnections() {
        // Under the lock: a pump closes its sockets only after leaving the table, so these
        // descriptors cannot have been closed and reused meanwhile.
        state.withLock { state in
            for pair in state.connections.values {
                shutdown(pair.client, Int32(SHUT_RDWR))
                shutdown(pair.server, Int32(SHUT_RDWR))
            }
        }
    }

    /// Stops listening: connects to the port are refused until ``startAccepting()``. Open
    /// connections stay.
    public func stopAccepting() {
        let listener = state.withLock { state in
            defer { state.listener = -1 }
            return state.listener
        }
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    /// Listens on the same port again.
    public func startAccepting() throws {
        let listener = try Self.listen(port: port)
        let installed = state.withLock { state -> Bool in
            guard !state.stopped, state.listener < 0 else { return false }
            state.listener = listener
            return true
        }
        guard installed else {
            close(listener)
            return
        }
        startAcceptThread(listener)
    }

    /// Stops listening and drops every connection.
    public func stop() {
        state.withLock { $0.stopped = true }
        stopAccepting()
        dropConnections()
    }

    deinit {
        stop()
    }

    // MARK: Threads

    private func startAcceptThread(_ listener: Int32) {
        let thread = Thread { [self] in acceptLoop(listener) }
        thread.name = "fault-proxy-accept"
        thread.start()
    }

    private func acceptLoop(_ listener: Int32) {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return  // shut down by stopAccepting()
            }
            guard let server = Self.connect(port: targetPort) else {
                close(client)  // the server is down: the client sees the connection close
                continue
            }
            let id: Int? = state.withLock { state in
                state.accepted += 1
                guard !state.stopped else { return nil }
                state.nextID += 1
                state.connections[state.nextID] = (client, server)
                return state.nextID
            }
            guard let id else {
                close(client)
                close(server)
                return
            }
            let thread = Thread { [self] in pump(id: id, client: client, server: server) }
            thread.name = "fault-proxy-\(id)"
            thread.start()
        }
    }

    /// Copies bytes both ways until either side closes, holding replies back when asked.
    private func pump(id: Int, client: Int32, server: Int32) {
        defer {
            _ = state.withLock { $0.connections.removeValue(forKey: id) }
            close(client)
            close(server)
        }
        var held: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var descriptors = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: server, events: Int16(POLLIN), revents: 0)]
        while true {
            let holding = state.withLock { $0.holdingReplies }
            if !holding, !held.isEmpty {
                guard Self.writeAll(held, to: client) else { return }
                held = []
            }
            // A short timeout: a release of held replies is noticed within a few ms.
            let ready = poll(&descriptors, 2, 5)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            for index in 0..<2 where descriptors[index].revents != 0 {
                let from = descriptors[index].fd
                let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
                guard count > 0 else { return }
                let bytes = buffer[0..<count]
                if from == client {
                    guard Self.writeAll(Array(bytes), to: server) else { return }
                } else if state.withLock({ $0.holdingReplies }) {
                    held.append(contentsOf: bytes)
                } else {
                    guard Self.writeAll(held + bytes, to: client) else { return }
                    held = []
                }
            }
        }
    }

    // MARK: Sockets

    private static func listen(port: Int) throws -> Int32 {
        let descriptor = SocketAddress.makeStreamSocket(family: AF_INET)
        guard descriptor >= 0 else { throw RedisServerError.system("socket()", errno: errno) }
        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = SocketAddress.loopback(port: port)
        let bound = SocketAddress.withGenericPointer(to: &address) { bind(descriptor, $0, $1) }
        guard bound == 0, Glibc.listen(descriptor, 64) == 0 else {
            let error = errno
            close(descriptor)
            throw RedisServerError.system("bind/listen 127.0.0.1:\(port)", errno: error)
        }
        return descriptor
    }

    private static func connect(port: Int) -> Int32? {
        let descriptor = SocketAddress.makeStreamSocket(family: AF_INET)
        guard descriptor >= 0 else { return nil }
        var address = SocketAddress.loopback(port: port)
        let connected = SocketAddress.withGenericPointer(to: &address) { Glibc.connect(descriptor, $0, $1) }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        var noDelay: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
