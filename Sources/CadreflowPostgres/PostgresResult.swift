import CLibPQ

/// The rows of one statement's result, read in place from libpq's buffer.
///
/// `@unchecked Sendable`: a PGresult is read-only once libpq has made it and independent
/// of its connection, so it may be read on another thread (the read lanes hand results to
/// the event loops that decode them); it is freed once, when the last reference goes.
public final class PostgresResult: @unchecked Sendable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    /// The number of rows returned.
    public var rowCount: Int { Int(PQntuples(handle)) }

    /// The number of columns returned.
    public var columnCount: Int { Int(PQnfields(handle)) }

    /// Rows inserted, updated or deleted by the statement (its command tag's count).
    public var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The column names in order.
    public var columnNames: [String] {
        (0..<columnCount).map { columnName($0) }
    }

    /// The name of the column at an index.
    public func columnName(_ index: Int) -> String {
        guard let name = PQfname(handle, Int32(index)) else { return "#\(index)" }
        return String(cString: name)
    }

    /// The index of the named column; an error names the column when it is missing.
    public func columnIndex(_ name: String) throws -> Int {
        let index = Int(PQfnumber(handle, name))
        guard index >= 0 else {
            throw PostgresError(code: .decoding, message: "the result has no column \"\(name)\"", column: name)
        }
        return index
    }

    /// True when the value at row, column is SQL NULL.
    public func isNull(row: Int, column: Int) -> Bool {
        PQgetisnull(handle, Int32(row), Int32(column)) == 1
    }

    /// Decodes the value at a row and column index.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, row: Int, column: Int) throws -> T {
        guard row >= 0, row < rowCount, column >= 0, column < columnCount else {
            throw PostgresError(code: .decoding, message: "no value at row \(row), column \(column) (\(rowCount) rows, \(columnCount) columns)")
        }
        if isNull(row: row, column: column) {
            return try T.decodeNull(column: columnName(column))
        }
        guard let pointer = PQgetvalue(handle, Int32(row), Int32(column)) else {
            return try T.decodeNull(column: columnName(column))
        }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        let bytes = UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self)
        return try T(postgresText: UnsafeBufferPointer(start: bytes, count: length), column: columnName(column))
    }

    /// Decodes the value at a row and named column.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, row: Int, column: String) throws -> T {
        try decode(type, row: row, column: try columnIndex(column))
    }

    /// The row at an index.
    public subscript(row: Int) -> PostgresRow {
        PostgresRow(result: self, index: row)
    }

    /// All rows, in order.
    public var rows: [PostgresRow] {
        (0..<rowCount).map { PostgresRow(result: self, index: $0) }
    }

    /// Decodes column 0 of the first row, or nil when there are no rows.
    public func scalar<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T? {
        rowCount == 0 ? nil : try decode(type, row: 0, column: 0)
    }
}

/// One row of a ``PostgresResult``.
public struct PostgresRow {
    /// The result the row belongs to.
    public let result: PostgresResult
    /// The row's index in the result.
    public let index: Int

    /// Decodes the value in a column by index.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws -> T {
        try result.decode(type, row: index, column: column)
    }

    /// Decodes the value in a column by name.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try result.decode(type, row: index, column: column)
    }
}
