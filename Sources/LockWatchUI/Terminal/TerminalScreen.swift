import CNCursesW
import Glibc
import Synchronization

/// The thin ncurses painter: takes the terminal over, paints ``CellGrid``s (only the cells that
/// changed since the last frame), reads keys, and gives the terminal back with ``close()``.
///
/// ncurses is not thread-safe: create, use and close one screen on a single thread (the
/// runner's terminal thread does all three).
final class TerminalScreen {
    private var screen: OpaquePointer?
    private var colors = false
    private var painted: CellGrid?
    private var buffer: [wchar_t] = []
    /// The terminal's size: columns and rows.
    private(set) var width = 0
    private(set) var height = 0

    /// Takes the terminal over: the user's locale (for UTF-8), raw mode (Ctrl-C arrives as a
    /// key), no echo, keypad decoding, a 25 ms Esc delay, a hidden cursor, default-background
    /// colours, and reads that wait at most `inputTimeoutMilliseconds`.
    init(inputTimeoutMilliseconds: Int32 = 30) throws(TerminalError) {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else { throw .notATerminal }
        lw_setlocale_from_environment()
        guard let screen = lw_newterm() else {
            throw .setupFailed(term: getenv("TERM").map { String(cString: $0) } ?? "")
        }
        self.screen = screen
        Self.registerExitRestore()
        raw()
        noecho()
        nonl()
        keypad(lw_stdscr(), true)
        wtimeout(lw_stdscr(), inputTimeoutMilliseconds)
        _ = set_escdelay(25)
        _ = curs_set(0)
        if has_colors() {
            start_color()
            let defaults = use_default_colors() == OK
            for color in TerminalColor.allCases where color != .standard {
                _ = init_pair(Int16(color.rawValue), Int16(color.rawValue - 1), defaults ? -1 : Int16(COLOR_BLACK))
            }
            colors = true
        }
        updateSize()
    }

    deinit { close() }

    /// Gives the terminal back (cursor shown, modes restored); safe to call more than once.
    func close() {
        guard let screen else { return }
        _ = curs_set(1)
        endwin()
        delscreen(screen)
        self.screen = nil
    }

    /// Paints `grid`: every cell after a size change, otherwise only the cells that differ
    /// from the last frame; cells beyond the terminal's current size are skipped.
    func paint(_ grid: CellGrid) {
        guard screen != nil else { return }
        let full = painted?.width != grid.width || painted?.height != grid.height
        if full { werase(lw_stdscr()) }
        let rows = min(grid.height, height)
        let columns = min(grid.width, width)
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = grid[row: row, column: column]
                if cell.isContinuation { continue }
                if !full, let painted, painted[row: row, column: column] == cell { continue }
                draw(cell, row: row, column: column)
            }
        }
        painted = grid
        wnoutrefresh(lw_stdscr())
        doupdate()
    }

    /// Waits up to the input timeout for a key or a resize; `nil` when none came.
    func read() -> TerminalInput? {
        guard screen != nil else { return nil }
        var isKeyCode: Int32 = 0
        var value: UInt32 = 0
        guard lw_get_key(&isKeyCode, &value) == OK else { return nil }
        let input = KeyDecoder.decode(isKeyCode: isKeyCode != 0, value: value)
        if input == .resize {
            updateSize()
            painted = nil
        }
        return input
    }

    private func updateSize() {
        var rows: Int32 = 0
        var columns: Int32 = 0
        lw_getmaxyx(&rows, &columns)
        height = Int(max(0, rows))
        width = Int(max(0, columns))
    }

    private func draw(_ cell: Cell, row: Int, column: Int) {
        buffer.removeAll(keepingCapacity: true)
        for scalar in cell.text.unicodeScalars.prefix(5) {
            let safe: Unicode.Scalar = TerminalText.isUnsafe(scalar) ? "?" : scalar
            buffer.append(wchar_t(bitPattern: safe.value))
        }
        if buffer.isEmpty { buffer.append(wchar_t(0x20)) }
        buffer.append(0)
        var attributes = lw_attr_normal()
        if cell.style.bold { attributes |= lw_attr_bold() }
        if cell.style.dim { attributes |= lw_attr_dim() }
        if cell.style.reverse { attributes |= lw_attr_reverse() }
        let pair = colors ? Int16(cell.style.foreground.rawValue) : 0
        _ = buffer.withUnsafeBufferPointer { text in
            lw_add_wide(Int32(row), Int32(column), text.baseAddress, attributes, pair)
        }
    }

    /// Makes sure an `exit()` anywhere in the process still gives the terminal back.
    private static func registerExitRestore() {
        if exitRestoreRegistered.exchange(true, ordering: .relaxed) { return }
        atexit {
            if !isendwin() { endwin() }
        }
    }
}

/// Whether ``TerminalScreen`` registered its `atexit` handler.
private let exitRestoreRegistered = Atomic<Bool>(false)
