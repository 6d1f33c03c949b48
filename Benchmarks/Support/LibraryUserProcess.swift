import Foundation

/// How a library user's program runs its async code: what the `library-user` benchmark
/// program is told with `--executor`.
public enum ExecutorConfiguration: String, Sendable, CaseIterable, Codable {
    /// Swift's default global executor: what a service that adds `RESP` and `RedisLock` as
    /// dependencies (a Vapor or Hummingbird app, a plain executable) runs on.
    case `default`
    /// NIO's event loops installed as the global executor, as `lockwatch` does.
    case nio

    /// How the tables name it.
    public var label: String {
        switch self {
        case .default: "default executor"
        case .nio: "NIO as global executor"
        }
    }
}

/// Runs the `library-user` program (built beside the benchmark that calls this) for one
/// measurement and decodes the one JSON line it prints.
public struct LibraryUserProcess: Sendable {
    /// The private server's port.
    public let port: Int
    /// The program's path.
    public let executable: String

    /// A runner for the `library-user` next to this program.
    public init(port: Int) {
        self.port = port
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        executable = directory.appendingPathComponent("library-user").path
    }

    /// Runs `workload` with `arguments` on `executor` and decodes its result.
    public func run<Reply: Decodable>(_ workload: String, executor: ExecutorConfiguration, _ arguments: [String] = [], as: Reply.Type = Reply.self) async throws -> Reply {
        let text = try await runProcess(executable, [workload, "--port", String(port), "--executor", executor.rawValue] + arguments)
        guard let line = text.split(separator: "\n").last else {
            throw BenchmarkError("library-user \(workload) printed nothing")
        }
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(line.utf8))
        } catch {
            throw BenchmarkError("cannot read library-user's result (\(error)): \(line.prefix(300))")
        }
    }
}
