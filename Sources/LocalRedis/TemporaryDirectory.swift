import Foundation
import Glibc

/// Creates private (mode 0700) temporary directories with a "redis-test-" prefix.
package enum TemporaryDirectory {
    /// Longest directory path that still leaves room for "/redis.sock" in `sun_path` (108 bytes).
    private static let maximumLength = 90

    package static func make(prefix: String = "redis-test-") throws(RedisServerError) -> String {
        var base = FileManager.default.temporaryDirectory.path
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        if base.utf8.count + prefix.utf8.count + 7 > maximumLength {
            base = "/tmp"
        }
        var template = Array("\(base)/\(prefix)XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let path = created else { throw .system("mkdtemp(\(base)/\(prefix)XXXXXX)", errno: errno) }
        ProcessRegistry.register(directory: path)
        return path
    }

    package static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        ProcessRegistry.unregister(directory: path)
    }
}
