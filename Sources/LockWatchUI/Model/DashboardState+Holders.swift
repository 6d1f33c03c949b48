public import RedisLock

/// Force-release of one holder from the detail view of a lock kind: `↑` `↓` (`k` `j`) select
/// a holder, `f` asks (the confirmation shows the escaped holder, its owner and what will be
/// compared), `y` releases exactly that holder (``DashboardCommand/forceReleaseHolder(_:)``),
/// `n`, `Esc` or `q` cancel; refused in read-only mode.
extension DashboardState {
    /// The position of ``selectedHolder`` among the detail view's lock's holders, if any.
    public var selectedHolderIndex: Int? {
        guard let selectedHolder, let holders = detailLock?.kind?.holders else { return nil }
        return holders.firstIndex { $0.isSameHolder(as: selectedHolder) }
    }

    /// The key of the lock in the detail view, also while asking about one of its holders.
    var detailKey: [UInt8]? {
        switch mode {
        case .detail(let key): key
        case .confirmHolderRelease(let release): release.lock.keyBytes
        default: nil
        }
    }

    /// `↑` `↓` in the detail view: moves the holder selection; `↑` from the first holder
    /// selects none again (then `F` is the whole lock's release, as always).
    mutating func moveHolderSelection(by delta: Int) {
        guard let holders = detailLock?.kind?.holders, !holders.isEmpty else { return }
        let next: Int? = switch selectedHolderIndex {
        case nil: delta > 0 ? 0 : nil
        case let index?: index + delta < 0 ? nil : min(index + delta, holders.count - 1)
        }
        selectedHolder = next.map { holders[$0] }
    }

    /// `f` in the detail view: asks whether to force-release the selected holder.
    mutating func requestHolderRelease() {
        guard !readOnly else {
            setStatus("read-only mode: force-release is disabled", .warning)
            return
        }
        guard detailPresent, let lock = detailLock else {
            setStatus("no longer listed (released, expired or filtered out): nothing to force-release", .warning)
            return
        }
        guard let holders = lock.kind?.holders else {
            setStatus("this lock has one holder: F force-releases it", .warning)
            return
        }
        guard !holders.isEmpty else {
            setStatus("nobody holds it: nothing to force-release", .warning)
            return
        }
        guard let index = selectedHolderIndex else {
            setStatus("select a holder with ↑ ↓ first, then f", .warning)
            return
        }
        do throws(HolderReleaseRefusal) {
            mode = .confirmHolderRelease(try HolderRelease(lock: lock, holder: holders[index]))
        } catch {
            setStatus("refused: " + error.message, .warning)
        }
    }

    mutating func handleHolderConfirmation(_ key: KeyPress, _ release: HolderRelease) -> [DashboardCommand] {
        switch key {
        case .character("y"), .character("Y"):
            mode = .detail(key: release.lock.keyBytes)
            setStatus("force-releasing \(Self.describe(release))…", .info)
            return [.forceReleaseHolder(release)]
        case .character("n"), .character("N"), .character("q"), .escape:
            mode = .detail(key: release.lock.keyBytes)
            setStatus("force-release cancelled", .info)
        default: break
        }
        return []
    }

    /// After a scan: the detail view's holder selection follows its holder (none when it is
    /// gone); a confirmation whose holder is gone closes, since there is nothing left to ask.
    mutating func followHolders() {
        if case .confirmHolderRelease(let release) = mode {
            let current = table.lock(withKey: release.lock.keyBytes)
            detailPresent = current != nil
            if let current { detailLock = current }
            if !release.isListed(in: current) {
                mode = .detail(key: release.lock.keyBytes)
                selectedHolder = nil
                setStatus("\(Self.describe(release)) is gone (released or expired) while asking: nothing to force-release", .warning)
                return
            }
        }
        if selectedHolder != nil, selectedHolderIndex == nil { selectedHolder = nil }
    }

    /// Puts the result of a force-release of one holder in the status line (and, when it
    /// happened, on the event strip).
    public mutating func apply(holderReleaseOutcome outcome: ForceReleaseOutcome, for release: HolderRelease) {
        let what = Self.describe(release)
        switch outcome {
        case .released(let auditEntryID):
            let audit = OutcomeText.audit(auditEntryID)
            setStatus("released \(what); the other holders keep theirs (\(audit))", .success)
            recordHolderRelease(release)
        case .releasedCopies(let released, let held, let others):
            let rest = OutcomeText.others(others)
            setStatus("released \(what) on \(released) of \(held) nodes (audit entry on each)\(rest)", released == held ? .success : .warning)
            recordHolderRelease(release)
        case .changedHands(let currentValue):
            let current = OutcomeText.current(currentValue)
            setStatus("refused: \(what) changed since it was shown (now \(current)); nothing deleted", .warning)
        case .vanished:
            setStatus("\(what) was already gone; nothing deleted", .warning)
        case .failed(let message):
            setStatus("force-release of \(what) failed: \(TerminalText.sanitize(message))", .error)
        }
        if selectedHolder.map({ $0.isSameHolder(as: release.holder) }) == true { selectedHolder = nil }
    }

    private mutating func recordHolderRelease(_ release: HolderRelease) {
        let event = LockEvent(
            kind: .forceReleased, keyBytes: release.lock.keyBytes, owner: release.holder.owner,
            atMilliseconds: serverNowMilliseconds ?? 0, detail: "  (\(release.holder.role.rawValue) \(release.holder.name))")
        recordEvents([event])
    }

    /// `reader 5d0c1e9a of lock:{catalog}`, escaped.
    static func describe(_ release: HolderRelease) -> String {
        let name = ValueFormat.prefix(TerminalText.sanitize(release.holder.name), columns: 40)
        return "\(release.holder.role.rawValue) \(name) of \(TerminalText.sanitize(release.lock.keyBytes))"
    }
}
