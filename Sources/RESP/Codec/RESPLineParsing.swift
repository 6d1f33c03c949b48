import NIOCore

/// Low-level readers shared by the decoder and by lazy value access. Indices are absolute
/// `ByteBuffer` indices.
enum RESPLineParsing {
    /// Finds the first CR at or after `start` in the readable bytes; `nil` when absent.
    @inline(__always)
    static func firstCR(in buffer: ByteBuffer, from start: Int) -> Int? {
        let end = buffer.writerIndex
        guard start < end else { return nil }
        return buffer.withUnsafeReadableBytes { raw -> Int? in
            let base = buffer.readerIndex
            let from = start - base
            guard let offset = raw[from...].firstIndex(of: ASCII.cr) else { return nil }
            return base + offset
        }
    }

    /// Parses a decimal integer in `buffer[start..<end]` with an optional sign; `nil` when the
    /// text is empty, has other characters, or overflows `Int64`.
    @inline(__always)
    static func integer(in buffer: ByteBuffer, from start: Int, to end: Int) -> Int64? {
        guard start < end else { return nil }
        return buffer.withUnsafeReadableBytes { raw -> Int64? in
            var index = start - buffer.readerIndex
            let stop = end - buffer.readerIndex
            var negative = false
            if raw[index] == ASCII.minus || raw[index] == ASCII.plus {
                negative = raw[index] == ASCII.minus
                index += 1
                guard index < stop else { return nil }
            }
            var value: Int64 = 0
            while index < stop {
                let byte = raw[index]
                guard byte >= ASCII.zero, byte <= ASCII.nine else { return nil }
                let digit = Int64(byte &- ASCII.zero)
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = negative
                    ? times10.subtractingReportingOverflow(digit)
                    : times10.addingReportingOverflow(digit)
                guard !o1, !o2 else { return nil }
                value = next
                index += 1
            }
            return value
        }
    }

    /// The bytes of a header line, for error messages: at most 32 bytes, escaped.
    static func preview(of buffer: ByteBuffer, from start: Int, to end: Int) -> String {
        let length = min(max(end - start, 0), 32)
        let bytes = buffer.getBytes(at: start, length: length) ?? []
        var text = ""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7F && byte != 0x5C {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return end - start > 32 ? text + "…" : text
    }
}
