import Testing
@testable import LockWatchUI

@Suite struct TerminalTextTests {
    @Test func escapesControlCharacters() {
        #expect(TerminalText.sanitize("lock:evil\u{1b}]0;PWNED\u{07}\u{1b}[2J") == "lock:evil\\x1b]0;PWNED\\x07\\x1b[2J")
        #expect(TerminalText.sanitize("a\u{7f}b\u{0}c") == "a\\x7fb\\x00c")
        #expect(TerminalText.sanitize("tab\there\nnew\rline") == "tab\\there\\nnew\\rline")
        #expect(TerminalText.sanitize("c1:\u{9b}31m") == "c1:\\u009b31m")
    }

    @Test func escapesBidiFormatAndSeparators() {
        #expect(TerminalText.sanitize("abc\u{202e}fed") == "abc\\u202efed")
        #expect(TerminalText.sanitize("x\u{2066}y\u{200f}z") == "x\\u2066y\\u200fz")
        #expect(TerminalText.sanitize("line\u{2028}para\u{2029}") == "line\\u2028para\\u2029")
        #expect(TerminalText.sanitize("zero\u{200b}width\u{feff}") == "zero\\u200bwidth\\ufeff")
        #expect(TerminalText.sanitize("tag\u{e0001}") == "tag\\u{e0001}")
        #expect(TerminalText.sanitize("private\u{e000}") == "private\\ue000")
    }

    @Test func escapesBackslashSoEscapesAreUnambiguous() {
        #expect(TerminalText.sanitize("a\\x1b") == "a\\\\x1b")
    }

    @Test func leavesOrdinaryTextAlone() {
        for text in ["lock:orders:42", "注文:ロック", "🔒 café", "e\u{301}", "Ωmega ✓", "𝔘nicode"] {
            #expect(TerminalText.sanitize(text) == text)
        }
    }

    @Test func escapesACombiningMarkWithNothingToCombineWith() {
        #expect(TerminalText.sanitize("\u{301}x") == "\\u0301x")
        #expect(TerminalText.sanitize("\u{1b}\u{301}") == "\\x1b\\u0301")
    }

    @Test func showsInvalidUTF8AsHexBytes() {
        #expect(TerminalText.sanitize([0x6C, 0x6F, 0x63, 0x6B, 0xFF, 0x3A, 0xC3]) == "lock\\xff:\\xc3")
        #expect(TerminalText.sanitize([0xE6, 0x97, 0xA5, 0x1B, 0x80]) == "日\\x1b\\x80")
        #expect(TerminalText.sanitize(Array("ok".utf8)) == "ok")
        #expect(TerminalText.sanitize([0xC2, 0x9B]) == "\\u009b")
    }

    @Test func sanitizedTextHasNoUnsafeScalar() {
        var all = ""
        for value in UInt32(0)...0x2100 {
            if let scalar = Unicode.Scalar(value) { all.unicodeScalars.append(scalar) }
        }
        let safe = TerminalText.sanitize(all)
        #expect(!safe.unicodeScalars.contains { TerminalText.isUnsafe($0) })
    }

    @Test func measuresDisplayColumns() {
        #expect(TerminalText.displayWidth("abc") == 3)
        #expect(TerminalText.displayWidth("日本") == 4)
        #expect(TerminalText.displayWidth("ｶﾀｶﾅ") == 4)
        #expect(TerminalText.displayWidth("Ａ") == 2)
        #expect(TerminalText.displayWidth("🔒") == 2)
        #expect(TerminalText.displayWidth("e\u{301}") == 1)
        #expect(TerminalText.displayWidth("한국어") == 6)
        #expect(TerminalText.displayWidth("") == 0)
        #expect(TerminalText.displayWidth("\u{20000}") == 2)
    }
}
