extension RedisURLParser {
    // MARK: - Characters

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// RFC 3986: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
    static func isScheme(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, isAlphanumeric(first), !isDigit(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == ascii("+") || $0 == ascii("-") || $0 == ascii(".") }
    }

    // MARK: - Percent encoding

    /// Decodes `%XX` escapes; `part` names the URL part for the error message, which never
    /// quotes the text itself (it may be a password).
    static func percentDecode(_ bytes: Bytes, part: String) throws(RedisError) -> String {
        guard bytes.contains(ascii("%")) else { return string(bytes) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == ascii("%") {
                guard index + 2 < bytes.endIndex,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else {
                    throw failure(
                        "malformed percent escape in the \(part): expected '%' followed by two hex digits "
                            + "(write '%' itself as %25)")
                }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw failure("the \(part) is not valid UTF-8 after percent-decoding")
        }
        return text
    }

    /// Percent-encodes everything except RFC 3986 unreserved characters and `keeping`.
    static func percentEncode(_ text: String, keeping: Unicode.Scalar? = nil) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in text.utf8 {
            if isAlphanumeric(byte) || byte == ascii("-") || byte == ascii(".") || byte == ascii("_")
                || byte == ascii("~") || (keeping.map { byte == ascii($0) } ?? false) {
                encoded.append(byte)
            } else {
                encoded += [ascii("%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
