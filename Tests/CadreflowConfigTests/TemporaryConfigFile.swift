import Foundation

/// A config file in the temporary directory, removed by `remove()`.
struct TemporaryConfigFile {
    let path: String

    init(_ text: String) throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("cadreflow-config-\(UUID().uuidString).toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The repository's `config/cadreflow.toml`, found from this file's location.
let shippedConfigPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("config/cadreflow.toml").path
