import RedisLock

/// Makes text that came from Redis safe to put on a terminal, and measures it in columns.
///
/// Keys, values, owners and error messages are attacker-controlled: a key such as
/// `lock:evil\u{1b}]0;PWNED\u{07}\u{1b}[2J` printed raw would retitle and clear the operator's
/// terminal, and U+202E would reverse the text after it. ``sanitize(_:)-(String)`` shows every
/// such character as an escape instead.
public enum TerminalText {
    /// Returns `text` with every character that could move the cursor, change the terminal's
    /// state or reorder what is shown replaced by a visible escape.
    ///
    /// Escaped: C0 controls and DEL (`\x1b`; tab, newline and carriage return as `\t`, `\n`,
    /// `\r`), C1 controls and every other scalar of General_Category `Cc`, `Cf`, `Cs`, `Co`,
    /// `Cn`, `Zl` or `Zp` (`\u202e`, `\u{e0001}`), and a combining mark with nothing to combine
    /// with. A backslash becomes `\\`, so an escape can never be mistaken for the text itself.
    public static func sanitize(_ text: String) -> String {
        SafeText.escape(text)
    }

    /// Decodes `bytes` as UTF-8 and sanitizes the result like ``sanitize(_:)-(String)``; every
    /// byte that is not part of valid UTF-8 is shown as `\xNN`.
    public static func sanitize(_ bytes: [UInt8]) -> String {
        SafeText.escape(bytes)
    }

    /// Whether `scalar` must never reach the terminal as itself (it is escaped by
    /// ``sanitize(_:)-(String)``).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        SafeText.isUnsafe(scalar)
    }

    /// How many terminal columns `text` takes: the sum of ``displayWidth(_:)-(Unicode.Scalar)``
    /// over its scalars, as `wcswidth` counts them.
    public static func displayWidth(_ text: String) -> Int {
        var width = 0
        for scalar in text.unicodeScalars {
            width += displayWidth(scalar)
        }
        return width
    }

    /// How many terminal columns `scalar` takes: 2 for East Asian Wide and Fullwidth
    /// characters, 0 for combining marks and other zero-width characters, 1 otherwise
    /// (controls count 0; sanitized text has none).
    public static func displayWidth(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x7F { return value < 0x20 ? 0 : 1 }
        if value < 0xA0 { return 0 }
        if value < 0x300 { return value == 0xAD ? 0 : 1 }
        if isZeroWidth(scalar) { return 0 }
        return WideCharacterTable.contains(value) ? 2 : 1
    }

    /// Whether `scalar` takes no column of its own (it combines with the character before).
    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        SafeText.isZeroWidth(scalar)
    }
}

