import Testing
@Test func uiPlaceholder() { #expect(Bool(true)) }
