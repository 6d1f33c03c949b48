/// One key the operator pressed, already decoded from the terminal.
public enum KeyPress: Sendable, Hashable {
    /// A printable character.
    case character(Character)
    /// A control key: `.control("c")` is Ctrl-C (byte 3).
    case control(Character)
    /// Arrow up.
    case up
    /// Arrow down.
    case down
    /// Arrow left.
    case left
    /// Arrow right.
    case right
    /// Page Up.
    case pageUp
    /// Page Down.
    case pageDown
    /// Home.
    case home
    /// End.
    case end
    /// Enter or Return.
    case enter
    /// Escape.
    case escape
    /// Backspace (or DEL, which many terminals send for it).
    case backspace
    /// Tab.
    case tab
    /// Function key `n` (F1 is `.function(1)`).
    case function(Int)

    /// Ctrl-C.
    public static let interrupt = KeyPress.control("c")
}
