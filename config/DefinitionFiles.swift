import Foundation

/// The workflow definitions (`workflows/*.json`), calendar schedules (`schedules.json`) and
/// assessment rule sets (`rules/*.json`)
/// beside this file, copied into the binary's resource bundle, so that the service finds
/// them from any working directory. `engine.workflows_dir` and `engine.schedules_file`
/// name other ones; empty (the default) means these.
public enum DefinitionFiles {
    /// The built-in folder of workflow definitions, or nil when the resource bundle is missing.
    public static var workflowsDirectory: URL? {
        Bundle.module.url(forResource: "workflows", withExtension: nil)
    }

    /// The built-in folder of assessment rule sets (`rules/*.json`), or nil when the resource bundle is missing.
    public static var rulesDirectory: URL? {
        Bundle.module.url(forResource: "rules", withExtension: nil)
    }

    /// The built-in schedules file, or nil when the resource bundle is missing.
    public static var schedulesFile: URL? {
        Bundle.module.url(forResource: "schedules", withExtension: "json")
    }

    /// The folder to load definitions from: `configured` when it is not empty, else the
    /// built-in one.
    /// - Throws: ``DefinitionFilesError`` when the built-in one is wanted and missing.
    public static func workflowsFolder(configured: String) throws -> String {
        if !configured.isEmpty { return configured }
        guard let directory = workflowsDirectory else { throw DefinitionFilesError.missing("workflows folder") }
        return directory.path
    }

    /// The folder to load assessment rule sets from: `configured` when it is not empty,
    /// else the built-in one.
    /// - Throws: ``DefinitionFilesError`` when the built-in one is wanted and missing.
    public static func rulesFolder(configured: String) throws -> String {
        if !configured.isEmpty { return configured }
        guard let directory = rulesDirectory else { throw DefinitionFilesError.missing("rules folder") }
        return directory.path
    }

    /// The schedules file to load: `configured` when it is not empty, else the built-in one.
    /// - Throws: ``DefinitionFilesError`` when the built-in one is wanted and missing.
    public static func schedulesPath(configured: String) throws -> String {
        if !configured.isEmpty { return configured }
        guard let file = schedulesFile else { throw DefinitionFilesError.missing("schedules file") }
        return file.path
    }
}

/// The built-in definitions are wanted but this build carries none.
public struct DefinitionFilesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The one-line reason.
    public var description: String

    static func missing(_ what: String) -> DefinitionFilesError {
        DefinitionFilesError(
            description: "this build carries no built-in \(what) (the resource bundle cadreflow_CadreflowDefinitions.resources "
                + "is missing next to the executable): copy it there, or set engine.workflows_dir and engine.schedules_file"
        )
    }
}
