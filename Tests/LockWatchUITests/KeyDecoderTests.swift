import Testing
@testable import LockWatchUI

@Suite struct KeyDecoderTests {
    @Test func decodesControlCharacters() {
        #expect(KeyDecoder.decode(character: 3) == .key(.interrupt))
        #expect(KeyDecoder.decode(character: 27) == .key(.escape))
        #expect(KeyDecoder.decode(character: 13) == .key(.enter))
        #expect(KeyDecoder.decode(character: 10) == .key(.enter))
        #expect(KeyDecoder.decode(character: 127) == .key(.backspace))
        #expect(KeyDecoder.decode(character: 8) == .key(.backspace))
        #expect(KeyDecoder.decode(character: 26) == .key(.control("z")))
    }

    @Test func decodesPrintableAndDropsUnsafeCharacters() {
        #expect(KeyDecoder.decode(character: 0x71) == .key(.character("q")))
        #expect(KeyDecoder.decode(character: 0x6CE8) == .key(.character("注")))
        #expect(KeyDecoder.decode(character: 0x9B) == nil)
        #expect(KeyDecoder.decode(character: 0x202E) == nil)
        #expect(KeyDecoder.decode(character: 0x301) == nil)
    }

    @Test func decodesKeyCodes() {
        // ncurses: KEY_DOWN 0402, KEY_UP 0403, KEY_F0 0410, KEY_NPAGE 0522, KEY_PPAGE 0523, KEY_RESIZE 0632.
        #expect(KeyDecoder.decode(keyCode: 0o403) == .key(.up))
        #expect(KeyDecoder.decode(keyCode: 0o402) == .key(.down))
        #expect(KeyDecoder.decode(keyCode: 0o522) == .key(.pageDown))
        #expect(KeyDecoder.decode(keyCode: 0o523) == .key(.pageUp))
        #expect(KeyDecoder.decode(keyCode: 0o411) == .key(.function(1)))
        #expect(KeyDecoder.decode(keyCode: 0o632) == .resize)
    }
}
