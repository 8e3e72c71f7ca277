import Foundation

/// Typed reads from JSONSerialization output, with errors that name the key path.
struct JSONReader {
    let file: String

    func fail(_ key: String, _ message: String) -> DefinitionError {
        DefinitionError(file: file, key: key, message: message)
    }

    func object(_ value: Any?, at key: String, allowed: Set<String>) throws -> [String: Any] {
        guard let value else { throw fail(key, "missing") }
        guard let object = value as? [String: Any] else { throw fail(key, "expected an object") }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let path = key == "(root)" ? unknown : "\(key).\(unknown)"
            throw fail(path, "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
        return object
    }

    func array(_ value: Any?, at key: String) throws -> [Any] {
        guard let value else { throw fail(key, "missing") }
        guard let array = value as? [Any] else { throw fail(key, "expected an array") }
        return array
    }

    func string(_ value: Any?, at key: String) throws -> String {
        guard let value else { throw fail(key, "missing") }
        guard let text = value as? String, !text.isEmpty else { throw fail(key, "expected a non-empty string") }
        return text
    }

    func strings(_ value: Any?, at key: String) throws -> [String] {
        try array(value, at: key).enumerated().map { index, item in try string(item, at: "\(key)[\(index)]") }
    }

    func integer(_ value: Any?, at key: String) throws -> Int {
        guard let value else { throw fail(key, "missing") }
        // Booleans arrive as NSNumber too; their type code is "c".
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c",
              let integer = Int(exactly: number.doubleValue) else { throw fail(key, "expected an integer") }
        return integer
    }

    func duration(_ value: Any?, at key: String) throws -> Int {
        let text = try string(value, at: key)
        guard let seconds = DurationText.seconds(text) else {
            throw fail(key, "\(text) is not a duration (write 90s, 15m, 2h or 3d, with - before it for earlier)")
        }
        return seconds
    }
}
