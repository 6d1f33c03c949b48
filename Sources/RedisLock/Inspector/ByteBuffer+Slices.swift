import NIOCore

extension ByteBuffer {
    /// Byte strings, one per item, written back to back into one buffer (one allocation for
    /// many small strings) and sliced only once all are written: a slice taken earlier would
    /// make every later write copy the buffer.
    static func slices<Items: Sequence>(_ items: Items, writing write: (inout ByteBuffer, Items.Element) -> Void) -> [ByteBuffer] {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        var ranges: [Range<Int>] = []
        for item in items {
            let start = buffer.writerIndex
            write(&buffer, item)
            ranges.append(start ..< buffer.writerIndex)
        }
        return ranges.map { buffer.getSlice(at: $0.lowerBound, length: $0.count)! }
    }
}
