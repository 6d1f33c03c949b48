import BenchmarkSupport
import NIOCore
import NIOPosix

/// The floor under every `await` on a reply: what one thread hop costs on this machine.
/// A task on the global executor calls an actor whose executor is a NIO event loop (as a
/// connection's is) and comes back: two hops, no I/O.
enum HopProbe {
    /// An actor that runs on an event loop, like `RedisConnection`.
    actor OnLoop {
        let loop: any EventLoop
        private var touches = 0
        nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }
        init(loop: any EventLoop) { self.loop = loop }
        /// Touches the actor's state, on the loop, so that the call cannot run anywhere else.
        func touch() -> Int {
            loop.preconditionInEventLoop()
            touches += 1
            return touches
        }
    }

    /// Measures `hops / 2` round trips to the loop and back; the result is per hop.
    static func measure(hops: Int) async -> Throughput {
        let actor = OnLoop(loop: MultiThreadedEventLoopGroup.singleton.next())
        for _ in 0 ..< 1000 { _ = await actor.touch() }
        let clock = ContinuousClock()
        var recorder = LatencyRecorder()
        let trips = max(1, hops / 2)
        let start = clock.now
        for _ in 0 ..< trips {
            let before = clock.now
            _ = await actor.touch()
            recorder.record((clock.now - before) / 2)
        }
        return recorder.measurement(operations: trips * 2, elapsed: clock.now - start)
    }
}
