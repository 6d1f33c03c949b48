import BenchmarkSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import RESP
import RedisLock
import LocalRedis

/// The lock on one server, on a 3-master Redis Cluster and as a Redlock over 3 independent
/// servers, side by side in one run on private servers it starts itself: acquire+release
/// cycles/s from 64 tasks on 64 locks, and hand-off between 8 contenders holding 2 ms.
/// Started by `scripts/benchmark-distributed.sh`.
@main
enum DistributedLockBenchmark {
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            try await run(seconds: Int(CommandLine.arguments.dropFirst().first ?? "") ?? 5)
        } catch {
            FileHandle.standardError.write(Data("distributed-lock-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(seconds: Int) async throws {
        var logger = Logger(label: "distributed-lock-benchmark")
        logger.logLevel = .error  // private servers without persistence on purpose: no warnings
        let single = try await RedisServer.start()
        let independents = [try await RedisServer.start(), try await RedisServer.start(), try await RedisServer.start()]
        let cluster = try await RedisCluster.start(masters: 3)
        let singleClient = try RedisClient(url: single.url, logger: logger)
        let clusterClient = try RedisClusterClient(url: cluster.url, logger: logger)
        let redlockClients = try independents.map { try RedisClient(url: $0.url, logger: logger) }
        let setups = [
            LockUnderTest.locker("single node", try Locker(client: singleClient, logger: logger)),
            LockUnderTest.locker("3-master cluster", try Locker(backend: clusterClient, logger: logger)),
            LockUnderTest.redlock("Redlock over 3", try Redlock(clients: redlockClients, logger: logger)),
        ]
        let duration = Duration.seconds(seconds)
        print("distributed lock benchmark: \(seconds) s per case; (1) 64 tasks on 64 locks, (2) 8 contenders holding 2 ms")
        var rows: [(String, Double, HandOff)] = []
        for setup in setups {
            _ = try await concurrentCycles(setup, duration: .seconds(1))  // warm up connections and scripts
            let cycles = try await concurrentCycles(setup, duration: duration)
            let handOff = try await handOff(setup, duration: duration)
            rows.append((setup.name, cycles, handOff))
        }
        let base = rows[0].1
        print("| setup | cycles/s, 64 tasks | vs single node | hand-off ÷ ideal | gap p50 / p99 µs | overlaps |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for (name, cycles, handOff) in rows {
            print(String(format: "| %@ | %.0f | %.2fx | %.2f | %.0f / %.0f | %d |", name, cycles, cycles / base,
                         handOff.ratio, handOff.gapP50, handOff.gapP99, handOff.overlaps))
        }
        await singleClient.shutdown()
        await clusterClient.shutdown()
        for client in redlockClients { await client.shutdown() }
        await cluster.stop()
        for server in independents + [single] { await server.stop() }
    }
}
