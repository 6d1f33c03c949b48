import RedisLock

/// The detail panel's lines for a lock kind (``LockKindDetail``): the kind and its summary,
/// each holder (a reader, the writer, a permit holder, a fair lock's holder) with its owner,
/// fence and live TTL, and a fair lock's queue head. Every string from Redis is escaped.
enum KindDetailLines {
    /// How many holders are listed before `… and N more`.
    static let holderLimit = 8

    /// `(label, text)` pairs; the TTLs count down by `elapsedMilliseconds` since the scan.
    static func lines(_ kind: LockKindDetail, elapsedMilliseconds: Int64) -> [(String, String)] {
        var lines: [(String, String)] = []
        var description = kind.summary
        if let mode = kind.mode { description += "  ·  mode \(mode.rawValue)" }
        lines.append(("kind", description))
        for (index, holder) in kind.holders.prefix(holderLimit).enumerated() {
            lines.append((index == 0 ? "held by" : "", text(holder, elapsedMilliseconds: elapsedMilliseconds)))
        }
        if kind.holders.count > holderLimit {
            lines.append(("", "… and \(kind.holders.count - holderLimit) more"))
        }
        if kind.holders.isEmpty && kind.kind != .fair {
            lines.append(("held by", "nobody (every lease expired)"))
        }
        if let head = kind.queueHead {
            lines.append(("next", text(head, elapsedMilliseconds: elapsedMilliseconds)))
        }
        return lines
    }

    /// One holder: `reader  <token>  owner …  fence N  ttl 12.3s`.
    static func text(_ holder: KindHolder, elapsedMilliseconds: Int64) -> String {
        var parts = [holder.role.rawValue.padding(to: 7), TerminalText.sanitize(String(holder.name.prefix(40)))]
        if let owner = holder.owner { parts.append("owner " + TerminalText.sanitize(String(owner.prefix(40)))) }
        if let fence = holder.fence { parts.append("fence \(fence)") }
        if let ttl = holder.ttlMilliseconds { parts.append("ttl " + ValueFormat.duration(milliseconds: max(0, ttl - elapsedMilliseconds))) }
        return parts.joined(separator: "  ")
    }
}
