import Foundation
import Glibc

/// How to run this very binary from a shell, for the commands lockwatch prints: plain
/// `lockwatch` when that name on `$PATH` is this binary, else its absolute path.
enum SelfInvocation {
    /// `lockwatch`, or the absolute path of the running binary (shell-quoted when needed).
    static let command: String = resolve(
        executable: resolvedPath("/proc/self/exe") ?? CommandLine.arguments[0],
        searchPath: ProcessInfo.processInfo.environment["PATH"] ?? "")

    /// The command for `executable`, given the `PATH` value `searchPath`: the name when the
    /// first `lockwatch` a shell would find there is the same file.
    static func resolve(executable: String, searchPath: String) -> String {
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) where directory.hasPrefix("/") {
            let candidate = String(directory) + "/lockwatch"
            guard access(candidate, X_OK) == 0 else { continue }
            return resolvedPath(candidate) == executable ? "lockwatch" : shellQuoted(executable)
        }
        return shellQuoted(executable)
    }

    /// `path` with every symbolic link resolved, or `nil` if it does not exist.
    static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `text` as one shell word: unchanged when it has only safe characters, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let safe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-+:@%=,")
        if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
