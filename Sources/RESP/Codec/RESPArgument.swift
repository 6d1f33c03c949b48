public import NIOCore

/// A value that can be sent as one or more arguments of a command. Each argument is written
/// straight into the command's buffer as a RESP bulk string.
public protocol RESPArgument {
    /// How many bulk strings this value writes (1 for scalars, the element count for arrays).
    var respArgumentCount: Int { get }
    /// Writes the value as `respArgumentCount` bulk strings.
    func writeRESPArguments(into buffer: inout ByteBuffer)
}

extension RESPArgument {
    /// One bulk string, the default.
    @inlinable public var respArgumentCount: Int { 1 }
}

extension ByteBuffer {
    /// Writes `$<length>\r\n<bytes>\r\n` for a byte count the caller then fills in via `body`.
    @inlinable
    mutating func writeBulkHeader(length: Int) {
        writeInteger(UInt8(ascii: "$"))
        writeDecimal(length)
        writeCRLF()
    }

    /// Writes an integer's decimal digits without making a String.
    @inlinable
    mutating func writeDecimal(_ value: Int) {
        if value >= 0 && value < 10 {
            writeInteger(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for Int.min's 20 digits
        let magnitude = value.magnitude
        withUnsafeMutableBytes(of: &digits) { raw in
            var index = raw.count
            var rest = magnitude
            repeat {
                index -= 1
                raw[index] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
            } while rest > 0
            if value < 0 {
                index -= 1
                raw[index] = UInt8(ascii: "-")
            }
            self.writeBytes(UnsafeRawBufferPointer(rebasing: raw[index...]))
        }
    }

    /// Writes CR LF.
    @inlinable
    mutating func writeCRLF() {
        writeInteger(UInt16(0x0D0A))
    }
}

extension String: RESPArgument {
    /// Writes the string's UTF-8 bytes.
    @inlinable
    public func writeRESPArguments(into buffer: inout ByteBuffer) {
        buffer.writeBulkHeader(length: utf8.count)
        buffer.writeString(self)
        buffer.writeCRLF()
    }
}

extension Substring: RESPArgument {
    /// Writes the substring's UTF-8 bytes.
    @inlinable
    public func writeRESPArguments(into buffer: inout ByteBuffer) {
        buffer.writeBulkHeader(length: utf8.count)
        buffer.writeSubstring(self)
        buffer.writeCRLF()
    }
}

extension StaticString: RESPArgument {
    /// Writes the literal's bytes.
    @inlinable
    public func writeRESPArguments(into buffer: inout ByteBuffer) {
        buffer.writeBulkHeader(length: utf8CodeUnitCount)
        buffer.writeStaticString(self)
        buffer.writeCRLF()
    }
}

extension Int: RESPArgument {
    /// Writes the decimal digits.
    @inlinable
    public func writeRESPArguments(into buffer: inout ByteBuffer) {
        var digits = 1
        var rest = self.magnitude
        while rest >= 10 { rest /= 10; digits += 1 }
        buffer.writeBulkHeader(length: self < 0 ? digits + 1 : digits)
        buffer.writeDecimal(self)
        buffer.writeCRLF()
    }
}

extension Int64: RESPArgument {
    /// Writes the decimal digits.
    @inlinable
    public func writeRESPArguments(into buffer: inout ByteBuffer) {
        Int(self).writeRESPArguments(into: &buffer)
    }
}

extension Double: RESPArgument {
    /// Writes the shortest decimal text that reads back as the same value (`inf`, `-inf`).
    public func writeRESPArguments(into buffer: inout ByteBuffer) {
        let text: String = isInfinite ? (self < 0 ? "-inf" : "inf") : "\(self)"
        text.writeRESPArguments(into: &buffer)
    }
}

extension ByteBuffer: RESPArgument {
    /// Writes the readable bytes, binary-safe.
    @inlinable
    public func writeRESPArguments(into buffer: inout ByteBuffer) {
        buffer.writeBulkHeader(length: readableBytes)
        buffer.writeImmutableBuffer(self)
        buffer.writeCRLF()
    }
}

extension Swift.Array: RESPArgument where Element: RESPArgument {
    /// The total count of the elements' arguments.
    @inlinable
    public var respArgumentCount: Int {
        var total = 0
        for element in self { total += element.respArgumentCount }
        return total
    }

    /// Writes every element in order.
    @inlinable
    public func writeRESPArguments(into buffer: inout ByteBuffer) {
        for element in self { element.writeRESPArguments(into: &buffer) }
    }
}

extension Optional: RESPArgument where Wrapped: RESPArgument {
    /// The wrapped value's count, or 0 for `nil` (the argument is left out).
    @inlinable
    public var respArgumentCount: Int { self?.respArgumentCount ?? 0 }

    /// Writes the wrapped value, or nothing for `nil`.
    @inlinable
    public func writeRESPArguments(into buffer: inout ByteBuffer) {
        self?.writeRESPArguments(into: &buffer)
    }
}
