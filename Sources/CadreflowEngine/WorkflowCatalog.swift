import CadreflowPostgres
import Crypto
import Foundation

/// Every workflow definition the engine runs: the current version of each (from the
/// files) and the older versions that instances still run on (from the database).
public struct WorkflowCatalog: Sendable {
    private var versions: [String: [Int: WorkflowDefinition]] = [:]
    private var currentVersion: [String: Int] = [:]

    /// A catalog of the given (current) definitions.
    public init(definitions: [WorkflowDefinition]) {
        for definition in definitions {
            versions[definition.name, default: [:]][definition.version] = definition
            currentVersion[definition.name] = max(currentVersion[definition.name] ?? 0, definition.version)
        }
    }

    /// The current definitions, by name.
    public var definitions: [WorkflowDefinition] {
        currentVersion.keys.sorted().compactMap { current($0) }
    }

    /// The current version of a workflow.
    public func current(_ name: String) -> WorkflowDefinition? {
        currentVersion[name].flatMap { versions[name]?[$0] }
    }

    /// A specific version of a workflow.
    public func definition(_ name: String, version: Int) -> WorkflowDefinition? {
        versions[name]?[version]
    }

    /// The canonical JSON of a definition and its SHA-256.
    static func canonical(_ definition: WorkflowDefinition) throws -> (json: String, checksum: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(definition)
        let checksum = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        return (String(decoding: data, as: UTF8.self), checksum)
    }

    /// Records the current definitions in `workflow_definitions` and loads every older
    /// version still stored. A stored version whose content differs from the file of the
    /// same version is refused: a changed definition needs a new version number.
    public static func register(_ definitions: [WorkflowDefinition], connection: PostgresConnection) throws -> WorkflowCatalog {
        var catalog = WorkflowCatalog(definitions: definitions)
        try connection.transaction { connection in
            for definition in definitions {
                let (json, checksum) = try canonical(definition)
                try connection.query(
                    "INSERT INTO workflow_definitions (name, version, checksum, body) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (name, version) DO NOTHING",
                    definition.name, definition.version, checksum, json
                )
                let stored = try connection.query(
                    "SELECT checksum FROM workflow_definitions WHERE name = $1 AND version = $2", definition.name, definition.version
                ).scalar(String.self)
                guard stored == checksum else {
                    throw DefinitionError(
                        file: "\(definition.name).json", key: "version",
                        message: "version \(definition.version) of \(definition.name) is already registered with different content: raise the version"
                    )
                }
            }
            let rows = try connection.query("SELECT name, version, body FROM workflow_definitions ORDER BY name, version")
            for row in rows.rows {
                let name: String = try row.decode(0)
                let version: Int = try row.decode(1)
                guard catalog.versions[name]?[version] == nil else { continue }
                let body = try row.decode(2, as: PostgresJSON.self)
                catalog.versions[name, default: [:]][version] = try JSONDecoder().decode(WorkflowDefinition.self, from: Data(body.text.utf8))
                if catalog.currentVersion[name] == nil { catalog.currentVersion[name] = version }
            }
        }
        return catalog
    }
}
