/// A tiny JSON writer whose output is pure printable ASCII: every character outside it is a
/// `\uXXXX` escape, so JSON from `list --json` is safe to print even when keys hold escape
/// sequences or bidi overrides.
enum JSONText {
    /// A JSON value.
    enum Value {
        case string(String)
        case integer(Int64)
        case double(Double)
        case bool(Bool)
        case null
        case object([(String, Value)])
        case array([Value])
    }

    static func render(_ value: Value) -> String {
        var output = ""
        write(value, to: &output)
        return output
    }

    private static func write(_ value: Value, to output: inout String) {
        switch value {
        case .string(let text): writeString(text, to: &output)
        case .integer(let number): output += String(number)
        case .double(let number): output += number.isFinite ? formatNumber(number) : "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .null: output += "null"
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                write(item, to: &output)
            }
            output += "]"
        case .object(let fields):
            output += "{"
            for (index, (key, item)) in fields.enumerated() {
                if index > 0 { output += "," }
                writeString(key, to: &output)
                output += ":"
                write(item, to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: output += "\\\""
            case 0x5C: output += "\\\\"
            case 0x20 ... 0x7E: output.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        output += "\""
    }

    /// A number rounded to three decimals.
    private static func formatNumber(_ number: Double) -> String {
        "\((number * 1000).rounded() / 1000)"
    }
}
