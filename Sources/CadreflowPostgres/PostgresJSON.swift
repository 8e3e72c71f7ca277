import Foundation

/// A `json` / `jsonb` value, kept as its text; encode and decode Codable values through it.
public struct PostgresJSON: Hashable, Sendable, PostgresEncodable, PostgresDecodable {
    /// The JSON text.
    public var text: String

    /// Wraps JSON text as it is.
    public init(text: String) { self.text = text }

    /// Encodes a value as JSON (keys sorted, so equal values give equal text).
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the JSON text as a value of the given type.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    public var postgresText: String? { text }

    public init(postgresText bytes: UnsafeBufferPointer<UInt8>, column: @autoclosure () -> String) throws {
        self.text = String(decoding: bytes, as: UTF8.self)
    }
}
