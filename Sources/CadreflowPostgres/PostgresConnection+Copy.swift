import CLibPQ

/// Writes rows of a `COPY … FROM STDIN` in PostgreSQL's text format, buffered.
public struct PostgresCopyWriter: ~Copyable {
    private let connection: PostgresConnection
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 20
    /// Rows written so far.
    public private(set) var rowCount = 0

    init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Appends one row; nil fields are NULL. Tabs, newlines and backslashes are escaped.
    public mutating func appendRow(_ fields: [String?]) throws {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let field else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            var utf8 = field.utf8
            let plain = utf8.withContiguousStorageIfAvailable { bytes in
                !bytes.contains { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == 0 }
            }
            if plain == true {
                buffer.append(contentsOf: utf8)
                continue
            }
            if plain == nil {
                var copy = field
                copy.makeContiguousUTF8()
                utf8 = copy.utf8
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
                case 0:
                    throw PostgresError(code: .invalidInput, message: "row \(rowCount + 1), field \(index + 1) contains a NUL character")
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        rowCount += 1
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Sends what is buffered to the server.
    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    PQputCopyData(connection.handle, $0, Int32(bytes.count))
                }
            } ?? 1
        }
        guard sent == 1 else { throw connection.connectionError() }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension PostgresConnection {
    /// Runs a `COPY … FROM STDIN` statement and streams the rows `write` appends.
    ///
    /// When `write` throws, the COPY is aborted, nothing is stored, and the error is
    /// rethrown. Returns the number of rows the server stored.
    @discardableResult
    public func copyFrom(_ sql: String, _ write: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        let start = try checked(PQexec(handle, sql))
        guard PQresultStatus(start.handle) == PGRES_COPY_IN else {
            throw PostgresError(code: .unexpectedResult, message: "\(sql.prefix(60)) is not a COPY … FROM STDIN statement")
        }
        var writer = PostgresCopyWriter(connection: self)
        do {
            try write(&writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(handle, "aborted by the client")
            drainResults()
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError() }
        let result = try checked(PQgetResult(handle))
        drainResults()
        return result.affectedRows
    }

    /// Copies a sequence of rows (nil fields are NULL); see ``copyFrom(_:_:)``.
    @discardableResult
    public func copyFrom(_ sql: String, rows: some Sequence<[String?]>) throws -> Int {
        try copyFrom(sql) { writer in
            for row in rows { try writer.appendRow(row) }
        }
    }

    /// Reads and discards the results left after a COPY or a failed call.
    func drainResults() {
        while let leftover = PQgetResult(handle) {
            PQclear(leftover)
        }
    }
}
