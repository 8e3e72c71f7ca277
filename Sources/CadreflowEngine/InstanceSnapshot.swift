import CadreflowPostgres
import Foundation

/// An instance as stored: its state, version and data at one moment.
public struct InstanceSnapshot: Sendable, Equatable, Codable {
    /// The database id.
    public var id: Int64
    /// The workflow's name.
    public var workflow: String
    /// The definition version the instance runs on.
    public var definitionVersion: Int
    /// The business key, unique across workflows (e.g. `assessment/CB001/2024-05`).
    public var key: String
    /// The current state.
    public var state: String
    /// The optimistic-concurrency version (1 after creation, +1 per transition).
    public var version: Int64
    /// The instance's fields.
    public var data: [String: String]

    /// The columns ``init(row:)`` reads, in order, for `SELECT` lists.
    static let columns = "id, workflow, definition_version, key, state, version, data"

    /// Reads a row selected with ``columns``.
    init(row: PostgresRow) throws {
        id = try row.decode(0)
        workflow = try row.decode(1)
        definitionVersion = try row.decode(2)
        key = try row.decode(3)
        state = try row.decode(4)
        version = try row.decode(5)
        data = try InstanceData.decode(try row.decode(6, as: PostgresJSON.self))
    }

    /// A snapshot from its parts.
    public init(id: Int64, workflow: String, definitionVersion: Int, key: String, state: String, version: Int64, data: [String: String]) {
        self.id = id
        self.workflow = workflow
        self.definitionVersion = definitionVersion
        self.key = key
        self.state = state
        self.version = version
        self.data = data
    }
}

/// How an instance is named in a command: by id or by business key.
public enum InstanceRef: Sendable, Hashable, CustomStringConvertible {
    /// By database id.
    case id(Int64)
    /// By business key.
    case key(String)

    public var description: String {
        switch self {
        case .id(let id): return "#\(id)"
        case .key(let key): return key
        }
    }
}

/// Who is acting, and in which role (`system` for timers and schedules).
public struct Actor: Sendable, Equatable, Codable {
    /// The login or component name.
    public var name: String
    /// The role the transition is checked against.
    public var role: String

    /// An actor from its parts.
    public init(name: String, role: String) {
        self.name = name
        self.role = role
    }

    /// The engine itself (timers, schedules).
    public static let system = Actor(name: "system", role: "system")
}

/// Instance data is a JSON object of strings.
enum InstanceData {
    /// A JSON object with sorted keys, written directly (this is on every transition's path).
    static func encode(_ data: [String: String]) -> PostgresJSON {
        var text = "{"
        for (index, key) in data.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            appendQuoted(key, to: &text)
            text += ":"
            appendQuoted(data[key] ?? "", to: &text)
        }
        text += "}"
        return PostgresJSON(text: text)
    }

    private static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    static func decode(_ json: PostgresJSON) throws -> [String: String] {
        // Values written by SQL may be numbers or booleans: read every scalar as text.
        guard let object = try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String: Any] else { return [:] }
        return object.reduce(into: [:]) { result, entry in
            switch entry.value {
            case let text as String: result[entry.key] = text
            case let number as NSNumber: result[entry.key] = number.stringValue
            case is NSNull: break
            default: result[entry.key] = "\(entry.value)"
            }
        }
    }
}
