import RedisLock

extension DashboardRenderer {
    /// Everything known about one lock: the full key and value (escaped), its type and format,
    /// live TTL, fence, waiters, the holders seen and an acquisitions/s sparkline.
    mutating func drawDetail() {
        guard let (lock, present) = state.detail else { return }
        let panelWidth = max(20, width - 8)
        let valueColumns = max(1, panelWidth - 10)
        let label = CellStyle(dim: true)
        var lines: [[TextSegment]] = []
        func add(_ name: String, _ text: String, _ style: CellStyle = .plain, maxLines: Int = 1) {
            for (index, part) in TextWrap.lines(text, columns: valueColumns, maxLines: maxLines).enumerated() {
                lines.append([TextSegment((index == 0 ? name : "").padding(to: 10), label), TextSegment(part, style)])
            }
        }
        if !present {
            lines.append([TextSegment("gone: the latest scan did not find this key (last known state below)", CellStyle(foreground: .yellow, bold: true))])
        }
        add("key", TerminalText.sanitize(lock.keyBytes), CellStyle(bold: true), maxLines: 4)
        add("type", "\(TerminalText.sanitize(lock.type))  ·  format \(lock.format.rawValue)")
        add("owner", lock.owner.map { TerminalText.sanitize($0) } ?? "–")
        add("token", lock.token.map { TerminalText.sanitize($0) } ?? "–", maxLines: 2)
        var ttlLine = [TextSegment("ttl".padding(to: 10), label), RowFormatter.ttl(of: lock, width: 12, state: state)]
        if let ceiling = state.ttlCeiling(forKey: lock.keyBytes) {
            ttlLine.append(TextSegment("  (longest seen \(ValueFormat.duration(milliseconds: ceiling)))", label))
        }
        lines.append(ttlLine)
        add("held", state.liveAgeMilliseconds(of: lock).map { ValueFormat.duration(milliseconds: $0) } ?? "–")
        add("fence", lock.fence.map { "\($0)" } ?? "–")
        add("waiters", lock.waiters.map { "\($0)" } ?? "–")
        if let kind = lock.kind {
            for line in KindDetailLines.lines(kind, elapsedMilliseconds: state.millisecondsSinceScan, selected: state.selectedHolderIndex) {
                add(line.label, line.text, line.selected ? CellStyle(foreground: .cyan, bold: true, reverse: true) : .plain)
            }
        }
        switch lock.placement {
        case nil: break
        case .node(let address): add("node", TerminalText.sanitize(address))
        case .copies(let copies):
            let agreement = copies.holdersAgree ? "one holder" : "DIFFERENT HOLDERS"
            let quorum = copies.hasQuorum ? "quorum \(copies.quorum) held" : "NO QUORUM (needs \(copies.quorum))"
            add("nodes", "held on \(copies.copies.count) of \(copies.nodeCount); \(quorum); \(agreement)",
                copies.hasQuorum && copies.holdersAgree ? .plain : CellStyle(foreground: .yellow, bold: true))
            for copy in copies.copies.prefix(5) {
                let ttl = copy.ttlMilliseconds.map { ValueFormat.duration(milliseconds: $0) } ?? "no ttl"
                let fence = copy.fence.map { " fence \($0)" } ?? ""
                let same = copy.holder == lock.holder ? "" : "  other holder: " + TerminalText.sanitize(Array(copy.holder.prefix(80)))
                add("", "\(TerminalText.sanitize(copy.address))  ttl \(ttl)\(fence)\(same)")
            }
        }
        add("acq/s", lock.acquisitionsPerSecond.map(ValueFormat.rate) ?? "–")
        let history = state.history(forKey: lock.keyBytes)
        let holders = history?.holders.map { TerminalText.sanitize($0) } ?? []
        add("holders", "\(lock.holderChanges) changes" + (holders.isEmpty ? "" : "; seen: " + holders.joined(separator: ", ")), maxLines: 2)
        if let samples = history?.samples, !samples.isEmpty {
            let peak = samples.max() ?? 0
            lines.append([
                TextSegment("activity".padding(to: 10), label),
                TextSegment(Sparkline.render(samples, columns: min(KeyHistory.sampleLimit, valueColumns)), CellStyle(foreground: .cyan)),
                TextSegment("  last \(samples.count) scans, peak \(ValueFormat.rate(peak))/s", label),
            ])
        } else {
            add("activity", "collecting…", label)
        }
        let valueText = detailValueLines(lock, columns: valueColumns)
        let room = max(1, height - 4 - lines.count)
        for (index, part) in valueText.prefix(room).enumerated() {
            lines.append([TextSegment((index == 0 ? "value" : "").padding(to: 10), label), TextSegment(part)])
        }
        let panel = Panel.draw(on: &grid, title: "lock detail", lineCount: lines.count, preferredWidth: panelWidth, border: CellStyle(foreground: .cyan))
        panel.fill(lines, on: &grid)
    }

    /// The value, escaped and wrapped: a hash one `field=value` per line (each side escaped, so
    /// a newline inside a field shows as `\n`, never as a line of its own), a string as one run.
    private func detailValueLines(_ lock: InspectedLock, columns: Int) -> [String] {
        let limit = 4096
        let pieces: [String]
        if let fields = lock.hashFields {
            pieces = fields.prefix(limit).map { TerminalText.sanitize($0.field) + "=" + TerminalText.sanitize($0.value) }
        } else if lock.type == "hash" {
            pieces = Array(lock.value.prefix(limit)).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                .map { TerminalText.sanitize(Array($0)) }
        } else {
            pieces = [TerminalText.sanitize(Array(lock.value.prefix(limit)))]
        }
        var lines: [String] = []
        for piece in pieces {
            lines += TextWrap.lines(piece, columns: columns, maxLines: 64)
        }
        if lock.value.count > limit {
            lines.append("… (\(lock.value.count) bytes in all)")
        }
        return lines.isEmpty ? ["(empty)"] : lines
    }
}
