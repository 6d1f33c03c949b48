import RedisLock

extension DashboardRenderer {
    /// The confirmation of one holder's force-release: the lock, the holder (escaped), its
    /// owner, token, TTL and fence, and what the compare-and-delete compares.
    mutating func drawHolderConfirmation(_ release: HolderRelease) {
        let label = CellStyle(dim: true)
        let value = CellStyle(bold: true)
        let holder = release.holder
        func line(_ name: String, _ text: String, _ style: CellStyle = value) -> [TextSegment] {
            [TextSegment(name.padding(to: 9), label), TextSegment(text, style)]
        }
        var lines: [[TextSegment]] = [
            [TextSegment("Force-release this holder?", CellStyle(foreground: .red, bold: true))],
            [],
            line("key", TerminalText.sanitize(release.lock.keyBytes)),
            line("holder", holder.role.rawValue + "  " + TerminalText.sanitize(holder.name)),
            line("owner", holder.owner.map { TerminalText.sanitize($0) } ?? "–"),
        ]
        var facts = [TextSegment("ttl".padding(to: 9), label)]
        facts.append(TextSegment(holder.ttlMilliseconds.map { ValueFormat.duration(milliseconds: max(0, $0 - state.millisecondsSinceScan)) } ?? "–"))
        if let fence = holder.fence {
            facts.append(TextSegment("   fence ", label))
            facts.append(TextSegment("\(fence)"))
        }
        lines.append(facts)
        lines.append(line("compare", release.comparedText, .plain))
        lines.append([])
        if case .holder = release.expectation {
            lines.append([TextSegment("Only this holder is deleted; the others keep theirs.")])
            lines.append([TextSegment("It loses its share: do this only for a stuck or dead holder.", CellStyle(foreground: .yellow))])
        } else {
            lines.append([TextSegment("The lock is deleted; the queue's head takes it on its next try.")])
            lines.append([TextSegment("Its holder loses the lock: do this only for a stuck or dead holder.", CellStyle(foreground: .yellow))])
        }
        drawConfirmPanel(lines, essential: 7)
    }
}
