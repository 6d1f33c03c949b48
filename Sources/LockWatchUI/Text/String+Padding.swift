extension String {
    /// This text padded with spaces to `columns` display columns (never cut).
    func padding(to columns: Int) -> String {
        self + String(repeating: " ", count: max(0, columns - TerminalText.displayWidth(self)))
    }
}
