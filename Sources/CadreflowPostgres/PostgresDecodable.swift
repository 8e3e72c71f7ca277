import Foundation

/// A Swift type that can be read from a result column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// Decodes the value from the column's text bytes; `column` names the column for errors
    /// (made only when one is thrown: looking a column's name up for every value cost more
    /// than decoding most values).
    init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws

    /// The value for SQL NULL. Non-optional types throw an error naming the column.
    static func decodeNull(column: @autoclosure () -> String) throws -> Self
}

extension PostgresDecodable {
    public static func decodeNull(column: @autoclosure () -> String) throws -> Self {
        throw PostgresError(code: .decoding, message: "NULL in column \"\(column())\" where a \(Self.self) was expected", column: column())
    }
}

extension PostgresError {
    /// The error for a value that does not parse as the requested type.
    static func cannotDecode(_ bytes: UnsafeBufferPointer<UInt8>, as type: Any.Type, column: String) -> PostgresError {
        let text = String(decoding: bytes.prefix(64), as: UTF8.self)
        return PostgresError(code: .decoding, message: "column \"\(column)\": cannot read \"\(text)\" as \(type)", column: column)
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        self = .some(try Wrapped(postgresText: bytes, column: column()))
    }

    public static func decodeNull(column: @autoclosure () -> String) throws -> Self { .none }
}

extension String: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Parses an optionally signed decimal integer without allocating.
private func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
    var index = 0
    var negative = false
    if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
        negative = first == UInt8(ascii: "-")
        index = 1
    }
    guard index < bytes.count else { return nil }
    var value: Int64 = 0
    while index < bytes.count {
        let digit = bytes[index] &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (next, overflow2) = negative
            ? shifted.subtractingReportingOverflow(Int64(digit))
            : shifted.addingReportingOverflow(Int64(digit))
        guard !overflow1, !overflow2 else { return nil }
        value = next
        index += 1
    }
    return value
}

extension Int: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        guard let value = parseInteger(bytes) else { throw PostgresError.cannotDecode(bytes, as: Int.self, column: column()) }
        self = Int(value)
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        guard let value = parseInteger(bytes) else { throw PostgresError.cannotDecode(bytes, as: Int64.self, column: column()) }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        guard let value = parseInteger(bytes), let narrow = Int32(exactly: value) else {
            throw PostgresError.cannotDecode(bytes, as: Int32.self, column: column())
        }
        self = narrow
    }
}

extension Double: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        guard let value = Double(String(decoding: bytes, as: UTF8.self)) else {
            throw PostgresError.cannotDecode(bytes, as: Double.self, column: column())
        }
        self = value
    }
}

extension Decimal: PostgresDecodable {
    /// Reads `numeric` exactly (no binary floating point in between).
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), text != "NaN" else {
            throw PostgresError.cannotDecode(bytes, as: Decimal.self, column: column())
        }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        switch bytes.first {
        case UInt8(ascii: "t") where bytes.count == 1: self = true
        case UInt8(ascii: "f") where bytes.count == 1: self = false
        default: throw PostgresError.cannotDecode(bytes, as: Bool.self, column: column())
        }
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        guard let value = UUID(uuidString: String(decoding: bytes, as: UTF8.self)) else {
            throw PostgresError.cannotDecode(bytes, as: UUID.self, column: column())
        }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// Reads `timestamptz` (the connection runs with DateStyle ISO).
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        guard let value = PostgresTimestamp.parse(bytes) else {
            throw PostgresError.cannotDecode(bytes, as: Date.self, column: column())
        }
        self = value
    }
}

extension Data: PostgresDecodable {
    /// Reads `bytea` in hex output form (`\x0a1b…`).
    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"), bytes.count % 2 == 0 else {
            throw PostgresError.cannotDecode(bytes, as: Data.self, column: column())
        }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var data = Data(capacity: (bytes.count - 2) / 2)
        var index = 2
        while index < bytes.count {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else {
                throw PostgresError.cannotDecode(bytes, as: Data.self, column: column())
            }
            data.append(high << 4 | low)
            index += 2
        }
        self = data
    }
}
