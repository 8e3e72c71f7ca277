import Foundation

/// Reads workflow definitions from JSON files, strictly: an unknown key, a missing key
/// or a value of the wrong type is an error naming the file and the key path.
public enum DefinitionLoader {
    /// Every `*.json` file in a folder, validated against the vocabulary (roles and hooks).
    public static func loadFolder(_ path: String, vocabulary: DefinitionVocabulary) throws -> [WorkflowDefinition] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw DefinitionError(file: path, key: "(folder)", message: "cannot read the workflows folder: \(error.localizedDescription)")
        }
        var seen: [String: String] = [:]
        return try names.map { name in
            let file = path + "/" + name
            let definition = try load(file: file, vocabulary: vocabulary)
            if let other = seen[definition.name] {
                throw DefinitionError(file: file, key: "name", message: "workflow \(definition.name) is also defined in \(other)")
            }
            seen[definition.name] = file
            return definition
        }
    }

    /// One file.
    public static func load(file: String, vocabulary: DefinitionVocabulary) throws -> WorkflowDefinition {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DefinitionError(file: file, key: "(file)", message: "cannot read the file")
        }
        let definition = try parse(data, file: file)
        try DefinitionValidator.validate(definition, file: file, vocabulary: vocabulary)
        return definition
    }

    /// Parses a definition from JSON bytes without validating its graph.
    public static func parse(_ data: Data, file: String) throws -> WorkflowDefinition {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw DefinitionError(file: file, key: "(file)", message: "not valid JSON: \(error.localizedDescription)")
        }
        let reader = JSONReader(file: file)
        let object = try reader.object(root, at: "(root)", allowed: ["name", "version", "description", "states", "initial", "final", "transitions", "timers"])
        let transitions = try reader.array(object["transitions"], at: "transitions").enumerated().map { index, item in
            let at = "transitions[\(index)]"
            let fields = try reader.object(item, at: at, allowed: ["name", "from", "to", "roles", "requires", "guard", "effect"])
            return TransitionDefinition(
                name: try reader.string(fields["name"], at: "\(at).name"),
                from: try reader.strings(fields["from"], at: "\(at).from"),
                to: try reader.string(fields["to"], at: "\(at).to"),
                roles: try reader.strings(fields["roles"], at: "\(at).roles"),
                requires: try reader.strings(fields["requires"] ?? [String](), at: "\(at).requires"),
                guardHook: try fields["guard"].map { try reader.string($0, at: "\(at).guard") },
                effectHook: try fields["effect"].map { try reader.string($0, at: "\(at).effect") }
            )
        }
        let timers = try reader.array(object["timers"] ?? [Any](), at: "timers").enumerated().map { index, item in
            let at = "timers[\(index)]"
            let fields = try reader.object(item, at: at, allowed: ["state", "after", "at_field", "offset", "fire"])
            let after = try fields["after"].map { try reader.duration($0, at: "\(at).after") }
            let atField = try fields["at_field"].map { try reader.string($0, at: "\(at).at_field") }
            guard (after == nil) != (atField == nil) else {
                throw DefinitionError(file: file, key: at, message: "a timer needs exactly one of \"after\" and \"at_field\"")
            }
            return TimerDefinition(
                state: try reader.string(fields["state"], at: "\(at).state"),
                afterSeconds: after,
                atField: atField,
                offsetSeconds: try fields["offset"].map { try reader.duration($0, at: "\(at).offset") } ?? 0,
                fire: try reader.string(fields["fire"], at: "\(at).fire")
            )
        }
        return WorkflowDefinition(
            name: try reader.string(object["name"], at: "name"),
            version: try reader.integer(object["version"], at: "version"),
            description: try object["description"].map { try reader.string($0, at: "description") } ?? "",
            states: try reader.strings(object["states"], at: "states"),
            initial: try reader.string(object["initial"], at: "initial"),
            final: try reader.strings(object["final"], at: "final"),
            transitions: transitions,
            timers: timers
        )
    }
}
