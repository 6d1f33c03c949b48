import Foundation

/// Read access to the redis-server log, which accumulates across restarts.
struct LogFile: Sendable {
    let path: String

    /// Current size in bytes (0 when the file does not exist yet).
    func size() -> Int {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Everything written after byte `offset`.
    func contents(from offset: Int = 0) -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count > offset else { return "" }
        return String(decoding: data.dropFirst(offset), as: UTF8.self)
    }

    /// The last `count` lines written after byte `offset`.
    func tail(_ count: Int = 30, from offset: Int = 0) -> String {
        let lines = contents(from: offset).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).joined(separator: "\n")
    }
}
