import ArgumentParser

/// Which lease `hold` takes: the exclusive lock (default), a read share (`--shared`) or the
/// write lock (`--writer`) of a read-write lock, one permit of N (`--permits N`), or the fair
/// lock (`--fair`).
enum HoldKind: Sendable, Hashable {
    case exclusive
    case shared
    case writer
    case permits(Int)
    case fair

    /// The kind the flags ask for (checked by ``check(shared:writer:permits:fair:legacy:)`` first).
    init(shared: Bool, writer: Bool, permits: Int?, fair: Bool = false) {
        if fair {
            self = .fair
        } else if shared {
            self = .shared
        } else if writer {
            self = .writer
        } else if let permits {
            self = .permits(permits)
        } else {
            self = .exclusive
        }
    }

    /// Refuses combinations that make no sense, with what to do instead.
    static func check(shared: Bool, writer: Bool, permits: Int?, fair: Bool = false, legacy: Bool) throws {
        let chosen = [shared ? "--shared" : nil, writer ? "--writer" : nil, permits.map { _ in "--permits" }, fair ? "--fair" : nil].compactMap { $0 }
        if chosen.count > 1 {
            throw ValidationError("\(chosen.joined(separator: " and ")) exclude each other: --shared and --writer take a read-write lock, --permits N a semaphore, --fair a fair lock; give one")
        }
        if let permits, permits < 1 {
            throw ValidationError("--permits must be at least 1, not \(permits)")
        }
        if legacy, let option = chosen.first {
            throw ValidationError("\(option) needs this library's record layout; --legacy (the Go lock's layout) has only the exclusive lock")
        }
    }
}
