extension LockRecord {
    /// Reads a record from JSON text without Foundation: a flat object whose `v`, `token`,
    /// `owner`, `acquired_ms` and `fence` must all be present (in any order); other keys are
    /// skipped, whatever their value. `nil` for anything that is not such an object.
    static func parse(_ text: String) -> LockRecord? {
        var reader = JSONReader(bytes: Array(text.utf8))
        var version: Int64?, token: String?, owner: String?, acquired: Int64?, fence: Int64?
        guard reader.consume(UInt8(ascii: "{")) else { return nil }
        if !reader.consume(UInt8(ascii: "}")) {
            repeat {
                guard let key = reader.string(), reader.consume(UInt8(ascii: ":")) else { return nil }
                switch key {
                case "v": version = reader.integer()
                case "token": token = reader.string()
                case "owner": owner = reader.string()
                case "acquired_ms": acquired = reader.integer()
                case "fence": fence = reader.integer()
                default: guard reader.skipValue() else { return nil }
                }
            } while reader.consume(UInt8(ascii: ","))
            guard reader.consume(UInt8(ascii: "}")) else { return nil }
        }
        guard reader.atEnd, let version, let token, let owner, let acquired, let fence,
              let shortVersion = Int(exactly: version) else { return nil }
        return LockRecord(version: shortVersion, token: token, owner: owner, acquiredAtMilliseconds: acquired, fence: fence)
    }

    private init(version: Int, token: String, owner: String, acquiredAtMilliseconds: Int64, fence: Int64) {
        self.version = version
        self.token = token
        self.owner = owner
        self.acquiredAtMilliseconds = acquiredAtMilliseconds
        self.fence = fence
    }
}

/// A cursor over JSON text: just what ``LockRecord/parse(_:)`` needs.
private struct JSONReader {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    /// Consumes `byte` (after whitespace) if it comes next.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A whole number that fits in `Int64`.
    mutating func integer() -> Int64? {
        skipSpace()
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value: Int64 = 0
        let start = index
        while index < bytes.count, (0x30 ... 0x39).contains(bytes[index]) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(bytes[index] - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            index += 1
        }
        guard index > start else { return nil }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
        return negative ? -value : value
    }

    /// A string with its escapes decoded.
    mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flush(_ end: Int) -> Bool {
            guard runStart < end else { return true }
            guard let run = String(validating: bytes[runStart ..< end], as: UTF8.self) else { return false }
            scalars.append(contentsOf: run.unicodeScalars)
            return true
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard flush(index) else { return nil }
                index += 1
                return String(scalars)
            }
            guard byte >= 0x20 else { return nil }
            guard byte == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            guard flush(index), index + 1 < bytes.count else { return nil }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(Unicode.Scalar(escape))
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                guard let scalar = unicodeEscape() else { return nil }
                scalars.append(scalar)
            default: return nil
            }
            runStart = index
        }
        return nil
    }

    /// The scalar of `XXXX` after `\u` (a surrogate pair takes two escapes).
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800 ..< 0xDC00).contains(high) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
            index += 2
            guard let low = hex4(), (0xDC00 ..< 0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index ..< index + 4] {
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { return nil }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    /// Skips any JSON value: a string, a number, `true`, `false`, `null`, or an object or
    /// array (whose contents are checked only for balanced brackets and whole strings).
    mutating func skipValue() -> Bool {
        skipSpace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                index += 1
                if depth == 0 { return true }
            }
            return false
        default:
            let start = index
            while index < bytes.count, !",}] \t\r\n".utf8.contains(bytes[index]) { index += 1 }
            return index > start
        }
    }
}
