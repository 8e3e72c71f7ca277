import CadreflowDefinitions
import CadreflowDomain
import CadreflowEngine
import Foundation
import Testing

/// The workflows and schedules the binary carries (config/ copied into its resource
/// bundle), which `serve` loads when engine.workflows_dir and engine.schedules_file are
/// empty, from any working directory.
@Suite("The definitions built into the binary")
struct BuiltInDefinitionsTests {
    static let checkoutConfig = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config").path

    @Test("The four workflows load from the resource bundle and validate against the domain's roles and hooks")
    func workflows() throws {
        let folder = try DefinitionFiles.workflowsFolder(configured: "")
        #expect(folder.contains("CadreflowDefinitions.resources"), "the bundle's copy, not the checkout: \(folder)")
        let definitions = try DefinitionLoader.loadFolder(folder, vocabulary: Domain.vocabulary)
        #expect(definitions.map(\.name).sorted() == ["assessment", "assignment", "exam", "monthly_cycle"])
    }

    @Test("The schedules load from the resource bundle")
    func schedules() throws {
        let file = try DefinitionFiles.schedulesPath(configured: "")
        #expect(file.contains("CadreflowDefinitions.resources"), "\(file)")
        #expect(try ScheduleLoader.load(file: file).map(\.name) == ["open-monthly-cycle"])
    }

    @Test("A configured path overrides the built-in one")
    func configuredPaths() throws {
        #expect(try DefinitionFiles.workflowsFolder(configured: "/etc/cadreflow/workflows") == "/etc/cadreflow/workflows")
        #expect(try DefinitionFiles.schedulesPath(configured: "relative/schedules.json") == "relative/schedules.json")
    }

    @Test("The bundle holds the checkout's files, byte for byte")
    func sameAsCheckout() throws {
        let folder = try DefinitionFiles.workflowsFolder(configured: "")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.checkoutConfig + "/workflows").filter { $0.hasSuffix(".json") }.sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted() == names)
        for name in names {
            #expect(FileManager.default.contents(atPath: folder + "/" + name) == FileManager.default.contents(atPath: Self.checkoutConfig + "/workflows/" + name), "\(name)")
        }
        let schedules = try DefinitionFiles.schedulesPath(configured: "")
        #expect(FileManager.default.contents(atPath: schedules) == FileManager.default.contents(atPath: Self.checkoutConfig + "/schedules.json"))
    }
}
