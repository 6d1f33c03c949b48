import LockWatchUI
import RedisLock
import Synchronization

/// Writes `list`'s rows as they arrive instead of all at the end, so memory stays flat at any
/// number of locks: the first window of rows is sorted by key and sets the table's column
/// widths; later rows follow in scan order (a wider cell pushes its line's later columns
/// right). JSON is an array written element by element; NDJSON one object per line.
final class ListWriter: Sendable {
    /// The output shape.
    enum Format: Sendable {
        case table, json, ndjson
    }

    /// Rows held back to sort and align before the first is written.
    static let window = 1000

    private struct State {
        var buffered: [InspectedLock] = []
        var layout: PlainLockTable.Layout?
        var written = 0
        var started = false
    }

    private let format: Format
    private let output: LineOutput
    /// Whether ages are local and waiters unknown (through a proxy): marks on every row.
    private let conditions: ScanConditions
    private let state = Mutex(State())

    init(format: Format, output: LineOutput, conditions: ScanConditions = ScanConditions()) {
        self.format = format
        self.output = output
        self.conditions = conditions
    }

    /// How many rows were handed over.
    var count: Int { state.withLock { $0.written + $0.buffered.count } }

    /// Takes a batch of rows (from any task).
    func add(_ locks: [InspectedLock], serverTime: Int64) {
        state.withLock { state in
            if state.started {
                write(locks, serverTime: serverTime, state: &state)
                return
            }
            state.buffered += locks
            if state.buffered.count >= Self.window { flush(serverTime: serverTime, state: &state) }
        }
    }

    /// Writes what is held back and closes the JSON array.
    func finish(serverTime: Int64) {
        state.withLock { state in
            flush(serverTime: serverTime, state: &state)
            if format == .json { output.write(state.written == 0 ? "[]\n" : "\n]\n") }
        }
    }

    private func flush(serverTime: Int64, state: inout State) {
        guard !state.started else { return }
        state.started = true
        let rows = state.buffered.sorted { $0.keyBytes.lexicographicallyPrecedes($1.keyBytes) }
        state.buffered = []
        if format == .table, !rows.isEmpty {
            let layout = PlainLockTable.Layout(firstRows: rows, serverTime: serverTime, conditions: conditions)
            state.layout = layout
            output.write(layout.line(PlainLockTable.headers + (layout.showsNodes ? ["NODES"] : [])))
        }
        write(rows, serverTime: serverTime, state: &state)
    }

    private func write(_ locks: [InspectedLock], serverTime: Int64, state: inout State) {
        guard !locks.isEmpty, !output.isClosed else { return }
        var text = ""
        for lock in locks {
            switch format {
            case .table:
                guard let layout = state.layout else { continue }
                text += layout.line(PlainLockTable.cells(lock, serverTime: serverTime, showsNodes: layout.showsNodes, conditions: conditions))
            case .json:
                text += (state.written == 0 ? "[\n" : ",\n") + JSONText.render(ListCommand.json(lock, now: serverTime, conditions: conditions))
            case .ndjson:
                text += JSONText.render(ListCommand.json(lock, now: serverTime, conditions: conditions)) + "\n"
            }
            state.written += 1
        }
        output.write(text)
    }
}
