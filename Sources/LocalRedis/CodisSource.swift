import Foundation
import Glibc
import Synchronization

/// Where the Codis 3.2 sources and build live: `codis.sh` and `codis-3.2-src.tar.gz` in
/// `../shared/codis` beside the repository (or `$LOCKWATCH_CODIS_DIR`), built once by
/// `codis.sh build` into `~/.cache/lockwatch/codis-<tarball hash>` (or under
/// `$LOCKWATCH_CODIS_CACHE`), so later runs and other clones reuse the binaries.
public enum CodisSource {
    /// Overrides the folder holding `codis.sh` and the source tarball.
    public static let directoryVariable = "LOCKWATCH_CODIS_DIR"
    /// Overrides the folder the builds are cached under.
    public static let cacheVariable = "LOCKWATCH_CODIS_CACHE"

    /// The four programs of a Codis build.
    public struct Binaries: Sendable {
        /// `codis-server` (Redis 3.2.11 with Codis's slot commands).
        public let server: String
        /// `codis-proxy`.
        public let proxy: String
        /// `codis-dashboard`.
        public let dashboard: String
        /// `codis-admin`.
        public let admin: String

        init(directory: String) {
            server = "\(directory)/codis-server"
            proxy = "\(directory)/codis-proxy"
            dashboard = "\(directory)/codis-dashboard"
            admin = "\(directory)/codis-admin"
        }

        var isComplete: Bool {
            [server, proxy, dashboard, admin].allSatisfy(FileManager.default.isExecutableFile(atPath:))
        }
    }

    /// The folder with `codis.sh` and the tarball: `$LOCKWATCH_CODIS_DIR`, else `../shared/codis`
    /// from the package root.
    public static var directory: String {
        if let override = ProcessInfo.processInfo.environment[directoryVariable], !override.isEmpty { return override }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/codis").standardizedFileURL.path
    }

    private static let announced = Mutex(false)
    private static let build = Mutex<Task<Result<Binaries, RedisServerError>, Never>?>(nil)

    /// The built binaries, building them first if the cache has none (about a minute on two
    /// cores; one build at a time across processes, guarded by a lock file).
    /// - Throws: ``RedisServerError`` when the sources are missing (after printing one line
    ///   saying so to stderr), Go or a compiler is missing, or the build fails.
    public static func binaries() async throws(RedisServerError) -> Binaries {
        let task = build.withLock { task in
            if let task { return task }
            let started = Task.detached { await runOffThePool(buildIfNeeded) }
            task = started
            return started
        }
        let result = await task.value
        if case .failure = result { build.withLock { $0 = nil } }
        return try result.get()
    }

    private static func buildIfNeeded() -> Result<Binaries, RedisServerError> {
        Result { () throws(RedisServerError) -> Binaries in
            let source = directory
            let script = "\(source)/codis.sh"
            let tarball = "\(source)/codis-3.2-src.tar.gz"
            guard FileManager.default.isExecutableFile(atPath: script), FileManager.default.fileExists(atPath: tarball) else {
                let message = "Codis is not available: \(source) has no codis.sh and codis-3.2-src.tar.gz "
                    + "(the shared folder beside the repository; CI has it). Set \(directoryVariable) to the folder holding them. "
                    + "The Codis tests fail until then."
                let first = announced.withLock { shown in
                    defer { shown = true }
                    return !shown
                }
                if first { FileHandle.standardError.write(Data("CODIS TESTS FAIL: \(message)\n".utf8)) }
                throw RedisServerError(message)
            }
            let destination = try cacheDirectory() + "/codis-" + (try hash(of: tarball))
            let binaries = Binaries(directory: destination + "/bin")
            if binaries.isComplete { return binaries }
            try withLockFile(destination + ".lock") { () throws(RedisServerError) in
                guard !binaries.isComplete else { return }
                let result = try ProcessRunner.run("/bin/bash", [script, "build", destination], timeout: .seconds(1_200))
                guard result.status == 0, !result.timedOut, binaries.isComplete else {
                    throw RedisServerError("building Codis with \(script) failed (exit \(result.status)\(result.timedOut ? ", timed out" : "")):\n\(result.combinedOutput)")
                }
            }
            return binaries
        }
    }

    private static func cacheDirectory() throws(RedisServerError) -> String {
        let environment = ProcessInfo.processInfo.environment
        let base: String
        if let override = environment[cacheVariable], !override.isEmpty {
            base = override
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            base = xdg + "/lockwatch"
        } else {
            base = FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/lockwatch"
        }
        do {
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        } catch {
            throw RedisServerError("cannot create the Codis build cache \(base): \(error)")
        }
        return base
    }

    /// The first 16 hex digits of the file's SHA-256, naming its build.
    private static func hash(of file: String) throws(RedisServerError) -> String {
        let result = try ProcessRunner.run("/usr/bin/sha256sum", [file])
        guard result.status == 0, let digest = result.standardOutput.split(separator: " ").first, digest.count == 64 else {
            throw RedisServerError("sha256sum \(file) failed: \(result.combinedOutput)")
        }
        return String(digest.prefix(16))
    }

    /// Runs `body` holding an exclusive `flock` on `path`, which other processes wait for.
    private static func withLockFile(_ path: String, _ body: () throws(RedisServerError) -> Void) throws(RedisServerError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .system("open(\(path))", errno: errno) }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .system("flock(\(path))", errno: errno) }
        }
        defer { flock(descriptor, LOCK_UN) }
        try body()
    }

    /// Runs blocking `work` on its own thread, so a long build does not hold one of the few
    /// threads Swift concurrency has.
    private static func runOffThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }
}
