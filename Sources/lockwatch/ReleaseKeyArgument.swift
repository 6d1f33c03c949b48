import ArgumentParser
import Foundation
import RedisLock

/// The key `release` acts on, as exact bytes, and whether it is a lock at all.
enum ReleaseKeyArgument {
    /// The key's bytes: decoded from `base64`, or `key` as the shell passed it. Foundation's
    /// `CommandLine.arguments` turns bytes that are not UTF-8 into U+FFFD, so such a key is
    /// looked up among the raw `argv` bytes.
    static func bytes(key: String?, base64: String?) throws -> [UInt8] {
        if let base64, let data = Data(base64Encoded: base64) { return Array(data) }
        guard let key else { throw ValidationError("give the KEY or --key-base64") }
        guard key.unicodeScalars.contains("\u{FFFD}") else { return Array(key.utf8) }
        var candidates = Set<[UInt8]>()
        for index in 1 ..< Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[index] else { continue }
            let raw = Array(UnsafeBufferPointer(start: UnsafeRawPointer(argument).assumingMemoryBound(to: UInt8.self), count: strlen(argument)))
            if String(decoding: raw, as: UTF8.self) == key { candidates.insert(raw) }
        }
        guard candidates.count == 1, let raw = candidates.first else {
            throw ValidationError("cannot tell which bytes the KEY has (it is not UTF-8 and several arguments look alike); pass it as --key-base64")
        }
        return raw
    }

    /// Why `lock` does not look like a lock (neither a recognised format nor under `prefix`
    /// or `match`), or `nil` when it does.
    static func notALock(_ lock: InspectedLock, prefix: String, match: String?) -> String? {
        switch lock.format {
        case .unknownString, .unknownHash, .other: break
        default: return nil
        }
        if LockInspector.Selection.prefix(prefix).matches(lock.keyBytes) { return nil }
        if let match, LockInspector.Selection.glob(match).matches(lock.keyBytes) { return nil }
        let watched = "--prefix '\(SafeText.escape(prefix))'" + (match.map { " or --match '\(SafeText.escape($0))'" } ?? "")
        return "is a \(SafeText.escape(lock.type)) in no known lock format (\(lock.format.rawValue)) and not under \(watched)"
    }
}
