extension LiveTable {
    /// The rows by key, kept densely: an array of rows and an index from key to position,
    /// instead of a dictionary of rows. A dictionary stays at most three quarters full, so at
    /// 100,000 rows of 144 bytes it holds 262,144 slots (38 MB); here the index's slots are 24
    /// bytes and the rows take what they need (about 21 MB in all).
    struct Rows: Sendable {
        private var index: [ByteKey: Int] = [:]
        private(set) var keys: [ByteKey] = []
        private(set) var values: [Row] = []

        /// How many rows.
        var count: Int { values.count }

        /// The row of `key`; setting `nil` removes it (the last row takes its place).
        subscript(key: ByteKey) -> Row? {
            get { index[key].map { values[$0] } }
            set {
                if let position = index[key] {
                    if let newValue { values[position] = newValue } else { remove(at: position) }
                } else if let newValue {
                    index[key] = values.count
                    keys.append(key)
                    values.append(newValue)
                }
            }
        }

        /// Makes room for `count` rows in all.
        mutating func reserveCapacity(_ count: Int) {
            index.reserveCapacity(count)
            keys.reserveCapacity(count)
            values.reserveCapacity(count)
        }

        private mutating func remove(at position: Int) {
            index[keys[position]] = nil
            let last = values.count - 1
            if position != last {
                keys[position] = keys[last]
                values[position] = values[last]
                index[keys[position]] = position
            }
            keys.removeLast()
            values.removeLast()
        }
    }
}
