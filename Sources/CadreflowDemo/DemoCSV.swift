/// A small RFC 4180 CSV reader and writer for the reference files and the import file.
enum DemoCSV {
    /// One record and the 1-based line on which it starts.
    struct Record: Sendable {
        let line: Int
        let fields: [String]
    }

    /// Parses `text` into records. Quoted fields may hold commas, doubled quotes and line
    /// breaks; CRLF and LF both end a record; a leading BOM and a final line break are ignored.
    /// Blank lines are skipped.
    static func parse(_ text: String, file: String) throws(DemoDataError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var afterQuote = false
        var line = 1
        var recordLine = 1
        var recordHasContent = false
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            afterQuote = false
        }
        func endRecord() {
            endField()
            if recordHasContent || fields.count > 1 || fields.first?.isEmpty == false {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            recordHasContent = false
        }

        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                endField()
                recordHasContent = true
            case UInt8(ascii: "\r") where index < bytes.count && bytes[index] == UInt8(ascii: "\n"):
                continue
            case UInt8(ascii: "\n"):
                endRecord()
                line += 1
                recordLine = line
            case UInt8(ascii: "\""):
                guard field.isEmpty, !afterQuote else {
                    throw DemoDataError(file: file, line: line, message: "a quote inside an unquoted field")
                }
                quoted = true
                recordHasContent = true
            default:
                guard !afterQuote else {
                    throw DemoDataError(file: file, line: line, message: "text after a closing quote")
                }
                field.append(byte)
            }
        }
        if quoted {
            throw DemoDataError(file: file, line: recordLine, message: "unterminated quoted field")
        }
        if !field.isEmpty || !fields.isEmpty || recordHasContent { endRecord() }
        return records
    }

    /// `value`, quoted per RFC 4180 when it holds a comma, quote, CR or LF.
    static func quote(_ value: String) -> String {
        var needsQuotes = false
        for byte in value.utf8 where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" { quoted.append("\"") }
            quoted.append(character)
        }
        quoted.append("\"")
        return quoted
    }

    /// One CSV line (without a line break) from its fields.
    static func line(_ fields: [String]) -> String {
        var line = ""
        line.reserveCapacity(fields.reduce(fields.count) { $0 + $1.utf8.count })
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(",") }
            line.append(quote(field))
        }
        return line
    }
}
