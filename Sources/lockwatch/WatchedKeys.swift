import ArgumentParser
import LockWatchUI
import RedisLock

/// Which keys `watch`, `list` and `events` look at, from their repeatable `--prefix`, their
/// `--match` and the context; and the "also seen" line `list` ends with.
enum WatchedKeys {
    /// The prefix watched when neither the command line nor the context names one.
    static let defaultPrefix = "lock:"

    /// The help text of a repeatable `--prefix`, stating the default.
    static var prefixHelp: ArgumentHelp {
        "Watch keys starting with this prefix; repeat it to watch several (--prefix lock: --prefix DUSEPK_REDIS_LOCK_). (Default: the context's prefixes, else lock:.)"
    }

    /// `--match` wins; else the given prefixes; else the context's; else ``defaultPrefix``.
    static func selection(prefixes: [String], match: String?, context: LockwatchContext?) -> LockInspector.Selection {
        if let match { return .glob(match) }
        if !prefixes.isEmpty { return .watching(prefixes: prefixes) }
        if let context, !context.prefixes.isEmpty { return .watching(prefixes: context.prefixes) }
        return .prefix(defaultPrefix)
    }

    /// `also seen: DUSEPK_REDIS_LOCK_* (go-legacy, 3 keys) — add --prefix DUSEPK_REDIS_LOCK_`,
    /// sanitized; `nil` when nothing was seen.
    static func alsoSeenLine(_ found: [AlsoSeenPrefix]) -> String? {
        guard !found.isEmpty else { return nil }
        let summaries = found.map { TerminalText.sanitize($0.summary) }.joined(separator: ", ")
        let options = found.map { "--prefix " + SelfInvocation.shellQuoted(TerminalText.sanitize($0.prefix)) }.joined(separator: " ")
        return "also seen: \(summaries) — add \(options)"
    }
}
