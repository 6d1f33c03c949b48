/// The first byte of every RESP value, which names its type.
enum RESPTypeByte: UInt8, Sendable {
    case simpleString = 0x2B  // +
    case simpleError = 0x2D  // -
    case integer = 0x3A  // :
    case bulkString = 0x24  // $
    case array = 0x2A  // *
    case null = 0x5F  // _
    case boolean = 0x23  // #
    case double = 0x2C  // ,
    case bigNumber = 0x28  // (
    case bulkError = 0x21  // !
    case verbatimString = 0x3D  // =
    case map = 0x25  // %
    case set = 0x7E  // ~
    case attribute = 0x7C  // |
    case push = 0x3E  // >

    /// How many child values an aggregate header announcing `count` stands for; `nil` for
    /// types that are not aggregates. An attribute also covers the value it annotates.
    func childCount(announced count: Int) -> Int? {
        switch self {
        case .array, .set, .push: count
        case .map: count &* 2
        case .attribute: count &* 2 &+ 1
        default: nil
        }
    }
}

/// Byte constants used by the codec.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let minus: UInt8 = 0x2D
    static let plus: UInt8 = 0x2B
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
}
