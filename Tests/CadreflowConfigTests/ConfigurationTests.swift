import CadreflowConfig
import Foundation
import Testing

@Suite("Configuration: defaults, file, environment and flags")
struct ConfigurationTests {
    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cf-config-\(UUID().uuidString).toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("The shipped config/cadreflow.toml sets every key to its built-in default")
    func shippedFileMatchesDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/cadreflow.toml").path
        let loaded = try Configuration.load(environment: [:], overrides: Overrides(configPath: path))
        #expect(loaded == Configuration())
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let document = try TOMLDocument(parsing: text, source: path)
        #expect(document.entries.count == 18, "every key appears in the shipped file")
    }

    @Test("Precedence: defaults < file < environment < flags")
    func precedence() throws {
        let path = try file("[server]\nlisten = \"127.0.0.1:8000\"\n[database]\npool_size = 16\ndata_dir = \"/srv/file\"\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fileOnly = try Configuration.load(environment: ["CADREFLOW_CONFIG": path])
        #expect(fileOnly.server.listen == "127.0.0.1:8000")
        #expect(fileOnly.database.poolSize == 16)
        #expect(fileOnly.database.checkoutTimeoutMs == 5_000)
        let withEnvironment = try Configuration.load(environment: [
            "CADREFLOW_CONFIG": path, "CADREFLOW_LISTEN": "0.0.0.0:9000", "CADREFLOW_DATA_DIR": "/srv/env",
            "CADREFLOW_DATABASE_URL": "host=/tmp dbname=x",
        ])
        #expect(withEnvironment.server.listen == "0.0.0.0:9000")
        #expect(withEnvironment.database.dataDir == "/srv/env")
        #expect(!withEnvironment.usesEmbeddedDatabase)
        let withFlags = try Configuration.load(
            environment: ["CADREFLOW_CONFIG": path, "CADREFLOW_LISTEN": "0.0.0.0:9000"],
            overrides: Overrides(listen: "[::1]:7000", dataDir: "/srv/flag")
        )
        #expect(withFlags.server.listen == "[::1]:7000")
        #expect(withFlags.listenHost == "::1")
        #expect(withFlags.listenPort == 7000)
        #expect(withFlags.database.dataDir == "/srv/flag")
    }

    @Test("A named config file that is missing is an error; the default one may be absent")
    func missingFile() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["CADREFLOW_CONFIG": "/nonexistent/cadreflow.toml"])
        }
        #expect(error?.message.contains("/nonexistent/cadreflow.toml") == true)
        #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: [:], overrides: Overrides(configPath: "/nonexistent/x.toml"))
        }
    }

    @Test("Unknown keys, wrong types and out-of-range values name the key", arguments: [
        ("[database]\npool_sise = 3", "unknown key \"database.pool_sise\""),
        ("[nowhere]\nx = 1", "unknown key \"nowhere.x\""),
        ("[database]\npool_size = 0", "database.pool_size = 0: must be between 1 and 256"),
        ("[database]\npool_size = \"8\"", "database.pool_size = \"8\": expected an integer"),
        ("[server]\nlisten = 7420", "server.listen = 7420: expected a string"),
        ("[server]\nlisten = \"localhost\"", "server.listen = \"localhost\": expected host:port"),
        ("[server]\ntime_zone = \"Mars/Base\"", "server.time_zone = \"Mars/Base\": unknown time zone"),
        ("[server]\ntls_certificate = \"/etc/cert.pem\"", "must be set together"),
    ])
    func badValues(text: String, expected: String) throws {
        let path = try file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: [:], overrides: Overrides(configPath: path))
        }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "") should contain \(expected)")
    }

    @Test("Bad environment variables and flags are named")
    func badOverrides() {
        let fromEnvironment = #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["CADREFLOW_LISTEN": "abc"], overrides: Overrides(configPath: nil))
        }
        #expect(fromEnvironment?.message.hasPrefix("CADREFLOW_LISTEN") == true)
        let fromFlag = #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: [:], overrides: Overrides(listen: "1.2.3.4:99999"))
        }
        #expect(fromFlag?.message.hasPrefix("--listen") == true)
        let emptyDir = #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["CADREFLOW_DATA_DIR": ""])
        }
        #expect(emptyDir?.message.hasPrefix("CADREFLOW_DATA_DIR") == true)
    }

    @Test("Vietnamese text in a string value round-trips")
    func vietnamese() throws {
        let path = try file("[database]\ndata_dir = \"/srv/Hà Nội/dữ liệu\"\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loaded = try Configuration.load(environment: [:], overrides: Overrides(configPath: path))
        #expect(loaded.database.dataDir == "/srv/Hà Nội/dữ liệu")
    }
}
