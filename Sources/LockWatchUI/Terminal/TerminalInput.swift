import CNCursesW

/// One thing read from the terminal.
enum TerminalInput: Sendable, Equatable {
    /// A key.
    case key(KeyPress)
    /// The terminal changed size (`KEY_RESIZE`).
    case resize
}

/// Turns what `wget_wch` returns into ``TerminalInput``.
enum KeyDecoder {
    /// Decodes a character (`isKeyCode == false`) or a `KEY_*` code; `nil` for keys the
    /// dashboard does not use.
    static func decode(isKeyCode: Bool, value: UInt32) -> TerminalInput? {
        isKeyCode ? decode(keyCode: Int32(truncatingIfNeeded: value)) : decode(character: value)
    }

    /// Decodes a `KEY_*` code.
    static func decode(keyCode: Int32) -> TerminalInput? {
        switch keyCode {
        case KEY_RESIZE: return .resize
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE: return .key(.backspace)
        case lw_key_f(1)...lw_key_f(12): return .key(.function(Int(keyCode - lw_key_f(0))))
        default: return nil
        }
    }

    /// Decodes a character: controls become ``KeyPress/control(_:)`` (Ctrl-C is byte 3),
    /// Enter, Esc, Tab and Backspace their own keys, anything unsafe to show is dropped.
    static func decode(character value: UInt32) -> TerminalInput? {
        switch value {
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.control(Character(Unicode.Scalar(UInt8(value) + 96))))
        default:
            guard let scalar = Unicode.Scalar(value), !TerminalText.isUnsafe(scalar),
                  TerminalText.displayWidth(scalar) > 0
            else { return nil }
            return .key(.character(Character(scalar)))
        }
    }
}
