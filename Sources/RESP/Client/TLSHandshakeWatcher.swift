import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind the TLS handler and completes `promise` when the TLS handshake has finished,
/// failed, or not finished by the connect deadline, so the Redis handshake starts only on a
/// working TLS session and a port that does not speak TLS is named as such within the
/// connect timeout (a plaintext Redis waits silently for the end of a command line that the
/// TLS hello never sends, or answers it in plaintext).
final class TLSHandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// The TLS handshake did not finish by the connect deadline.
    struct TimedOut: Error {}
    /// The connection closed before the TLS handshake finished.
    struct Closed: Error {}

    let promise: EventLoopPromise<Void>
    private let deadline: ContinuousClock.Instant
    private var finished = false
    private var timer: Scheduled<Void>?

    init(promise: EventLoopPromise<Void>, deadline: ContinuousClock.Instant) {
        self.promise = promise
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let left = max(deadline - ContinuousClock.now, .zero)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(left)) {
            self.finish(.failure(TimedOut()))
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(Closed()))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            finish(.success(()))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(Closed()))
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        timer = nil
        promise.completeWith(result)
    }

    /// The error `connect` reports for a TLS handshake that did not finish.
    static func explain(_ error: any Error, configuration: RedisConfiguration) -> RedisError {
        let endpoint = configuration.endpoint
        switch error {
        case is TimedOut:
            return RedisError(
                .tlsFailure,
                "\(endpoint) does not speak TLS: it did not answer the TLS handshake within the connect timeout (\(configuration.connectTimeout)); "
                    + "for a plaintext port use redis:// instead of rediss://")
        case is Closed:
            return RedisError(.tlsFailure, "\(endpoint) closed the connection during the TLS handshake: check that the port speaks TLS and accepts this client")
        default:
            let text = "\(error)"
            let plaintextSigns = ["WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG", "RECORD_TOO_LARGE", "UNEXPECTED_RECORD"]
            if plaintextSigns.contains(where: text.contains) {
                return RedisError(
                    .tlsFailure,
                    "\(endpoint) does not speak TLS: it answered the TLS handshake in plaintext; for a plaintext port use redis:// instead of rediss://",
                    underlying: error)
            }
            return RedisChannelHandler.describe(error)
        }
    }
}
