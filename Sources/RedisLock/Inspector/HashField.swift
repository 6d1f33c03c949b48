/// One field of a hash and its value, as exact bytes (fields and values need not be UTF-8).
public struct HashField: Sendable, Hashable {
    /// The field's bytes.
    public var field: [UInt8]
    /// The value's bytes.
    public var value: [UInt8]

    /// Makes a field.
    public init(field: [UInt8], value: [UInt8]) {
        self.field = field
        self.value = value
    }

    /// How a hash is shown: `field=value` lines sorted by bytes. For display only: two
    /// different hashes can render alike (a field containing `=` or a newline), so
    /// force-release compares the fields themselves, never this text.
    public static func rendered(_ fields: [HashField]) -> [UInt8] {
        let lines = fields.map { $0.field + [UInt8(ascii: "=")] + $0.value }.sorted { $0.lexicographicallyPrecedes($1) }
        return Array(lines.joined(separator: [0x0A]))
    }
}
