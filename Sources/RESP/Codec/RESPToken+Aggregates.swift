import NIOCore

extension RESPToken {
    /// The elements of an array, set or push, read lazily from the token's bytes.
    public struct Array: Sequence, Sendable, Hashable {
        /// How many elements there are.
        public let count: Int
        /// The validated bytes of the elements, back to back.
        let elements: ByteBuffer

        init(count: Int, elements: ByteBuffer) {
            self.count = count
            self.elements = elements
        }

        /// Walks the elements in order.
        public struct Iterator: IteratorProtocol {
            var remaining: Int
            var buffer: ByteBuffer

            /// The next element, or `nil` after the last.
            public mutating func next() -> RESPToken? {
                guard remaining > 0 else { return nil }
                remaining -= 1
                let start = buffer.readerIndex
                let end = RESPToken.indexAfterElement(in: buffer, at: start)
                return RESPToken(validated: buffer.readSlice(length: end - start)!)
            }
        }

        /// Starts a walk over the elements.
        public func makeIterator() -> Iterator {
            Iterator(remaining: count, buffer: elements)
        }

        /// Whether there are no elements.
        public var isEmpty: Bool { count == 0 }

        /// The number of elements, for `Sequence` algorithms that reserve capacity.
        public var underestimatedCount: Int { count }
    }

    /// The key-value pairs of a map or attribute, read lazily from the token's bytes.
    public struct Map: Sequence, Sendable, Hashable {
        /// How many pairs there are.
        public let count: Int
        let elements: ByteBuffer

        init(count: Int, elements: ByteBuffer) {
            self.count = count
            self.elements = elements
        }

        /// Walks the pairs in order.
        public struct Iterator: IteratorProtocol {
            var tokens: Array.Iterator

            /// The next pair, or `nil` after the last.
            public mutating func next() -> (key: RESPToken, value: RESPToken)? {
                guard let key = tokens.next(), let value = tokens.next() else { return nil }
                return (key, value)
            }
        }

        /// Starts a walk over the pairs.
        public func makeIterator() -> Iterator {
            Iterator(tokens: Array.Iterator(remaining: count * 2, buffer: elements))
        }

        /// Whether there are no pairs.
        public var isEmpty: Bool { count == 0 }
    }
}
