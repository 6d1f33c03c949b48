import RedisLock

/// The detail panel's lines for a lock kind (``LockKindDetail``): the kind and its summary,
/// each holder (a reader, the writer, a permit holder, a fair lock's holder) with its owner,
/// fence and live TTL, and a fair lock's queue head. Every string from Redis is escaped.
enum KindDetailLines {
    /// How many holders are listed before `… and N more`.
    static let holderLimit = 8

    /// One line of the panel: its label, its text, and whether it is the selected holder.
    struct Line: Equatable {
        var label: String
        var text: String
        var selected = false
    }

    /// The lines; the TTLs count down by `elapsedMilliseconds` since the scan. With a holder
    /// selected (`selected`, its position among the holders) the list is marked `›` there and
    /// shows the window of ``holderLimit`` holders that contains it.
    static func lines(_ kind: LockKindDetail, elapsedMilliseconds: Int64, selected: Int? = nil) -> [Line] {
        var lines: [Line] = []
        var description = kind.summary
        if let mode = kind.mode { description += "  ·  mode \(mode.rawValue)" }
        lines.append(Line(label: "kind", text: description))
        let first = selected.map { max(0, min($0 - holderLimit + 1, kind.holders.count - holderLimit)) } ?? 0
        if first > 0 {
            lines.append(Line(label: "held by", text: "… \(first) more before"))
        }
        let shown = kind.holders.dropFirst(first).prefix(holderLimit)
        for (index, holder) in zip(shown.indices, shown) {
            let marker = selected == nil ? "" : index == selected ? "› " : "  "
            lines.append(Line(label: lines.count == 1 ? "held by" : "", text: marker + text(holder, elapsedMilliseconds: elapsedMilliseconds),
                              selected: index == selected))
        }
        let after = kind.holders.count - first - shown.count
        if after > 0 {
            lines.append(Line(label: "", text: "… and \(after) more"))
        }
        if kind.holders.isEmpty && kind.kind != .fair {
            lines.append(Line(label: "held by", text: "nobody (every lease expired)"))
        }
        if let head = kind.queueHead {
            lines.append(Line(label: "next", text: text(head, elapsedMilliseconds: elapsedMilliseconds)))
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
