@testable import CadreflowConfig
import Foundation
import Testing

@Suite("Configuration.load: defaults < file < environment < flags")
struct ConfigurationLoadTests {
    /// Loads with a fallback file that does not exist, so the working directory does not matter.
    private func load(
        configPath: String? = nil, environment: [String: String] = [:], overrides: Overrides = Overrides()
    ) throws -> Configuration {
        try Configuration.load(
            configPath: configPath, environment: environment, overrides: overrides,
            fallbackPath: "/nonexistent/cadreflow-\(UUID().uuidString).toml"
        )
    }

    private func failure(_ body: () throws -> Configuration) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return String(describing: error)
        }
    }

    @Test("The shipped config/cadreflow.toml sets every key, each below a comment, to its default")
    func shippedFile() throws {
        let loaded = try Configuration.load(environment: [:], overrides: Overrides(configPath: shippedConfigPath))
        #expect(loaded == Configuration())
        let text = try String(contentsOfFile: shippedConfigPath, encoding: .utf8)
        let document = try TOMLDocument(parsing: text, source: shippedConfigPath)
        #expect(Set(document.entries.keys) == Set(ConfigurationKey.all.map(\.name)), "every key appears")
        for key in ConfigurationKey.all {
            #expect(document.values[key.name] == key.defaultValue, "\(key.name)")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for entry in document.entries.values {
            #expect(entry.line >= 2 && lines[entry.line - 2].hasPrefix("#"), "line \(entry.line) has a comment above it")
        }
    }

    @Test("An absent default file leaves the built-in defaults")
    func absentDefaultFile() throws {
        #expect(try load() == Configuration())
        #expect(try load(environment: ["CADREFLOW_ADMIN_PASSWORD": "x", "CADREFLOW_POOL_SIZE": "99", "PATH": "/bin"])
            == Configuration())
    }

    @Test("A named file that is missing is an error naming it and where it was named")
    func missingNamedFile() {
        #expect(failure { try load(overrides: Overrides(configPath: "/nonexistent/a.toml")) }
            == "--config /nonexistent/a.toml: config file not found")
        #expect(failure { try load(environment: ["CADREFLOW_CONFIG": "/nonexistent/b.toml"]) }
            == "CADREFLOW_CONFIG=/nonexistent/b.toml: config file not found")
        #expect(failure { try load(configPath: "/nonexistent/c.toml") } == "/nonexistent/c.toml: config file not found")
        #expect(failure { try Configuration.load(configPath: "/nonexistent/d.toml", environment: [:]) }
            == "/nonexistent/d.toml: config file not found")
    }

    @Test("server.unix_socket from CADREFLOW_UNIX_SOCKET; a path too long for a socket is refused naming it")
    func unixSocket() throws {
        #expect(try load(environment: ["CADREFLOW_UNIX_SOCKET": "/run/cadreflow/cadreflow.sock"]).server.unixSocket == "/run/cadreflow/cadreflow.sock")
        let long = "/tmp/" + String(repeating: "d", count: 120) + ".sock"
        #expect(failure { try load(environment: ["CADREFLOW_UNIX_SOCKET": long]) }
            == "CADREFLOW_UNIX_SOCKET=\(long): a unix socket path is at most 103 bytes (this one has 130); choose a shorter one")
    }

    @Test("A directory given as the config file is an error")
    func directoryAsFile() {
        let directory = FileManager.default.temporaryDirectory.path
        #expect(failure { try load(overrides: Overrides(configPath: directory)) }.contains("is a directory"))
    }

    @Test("The file named by --config wins over configPath and CADREFLOW_CONFIG")
    func whichFile() throws {
        let flagFile = try TemporaryConfigFile("[database]\npool_size = 1")
        let argumentFile = try TemporaryConfigFile("[database]\npool_size = 2")
        let environmentFile = try TemporaryConfigFile("[database]\npool_size = 3")
        defer { [flagFile, argumentFile, environmentFile].forEach { $0.remove() } }
        let environment = ["CADREFLOW_CONFIG": environmentFile.path]
        #expect(try load(environment: environment).database.poolSize == 3)
        #expect(try load(configPath: argumentFile.path, environment: environment).database.poolSize == 2)
        let flags = Overrides(configPath: flagFile.path)
        #expect(try load(configPath: argumentFile.path, environment: environment, overrides: flags).database.poolSize == 1)
    }

    @Test("Precedence for each overridable key: defaults < file < environment < flags")
    func precedence() throws {
        let file = try TemporaryConfigFile("""
            [server]
            listen = "127.0.0.1:8000"
            [database]
            url = "host=/file dbname=f"
            data_dir = "/srv/file"
            pool_size = 16
            """)
        defer { file.remove() }
        let defaults = try load()
        #expect(defaults.server.listen == "127.0.0.1:7420")

        let fromFile = try load(environment: ["CADREFLOW_CONFIG": file.path])
        #expect(fromFile.server.listen == "127.0.0.1:8000")
        #expect(fromFile.database.url == "host=/file dbname=f")
        #expect(fromFile.database.dataDir == "/srv/file")
        #expect(fromFile.database.poolSize == 16)
        #expect(fromFile.database.checkoutTimeoutMs == 5_000, "keys the file omits keep their defaults")

        let environment = [
            "CADREFLOW_CONFIG": file.path, "CADREFLOW_LISTEN": "0.0.0.0:9000",
            "CADREFLOW_DATABASE_URL": "host=/env dbname=e", "CADREFLOW_DATA_DIR": "/srv/env",
        ]
        let fromEnvironment = try load(environment: environment)
        #expect(fromEnvironment.server.listen == "0.0.0.0:9000")
        #expect(fromEnvironment.database.url == "host=/env dbname=e")
        #expect(fromEnvironment.database.dataDir == "/srv/env")
        #expect(fromEnvironment.database.poolSize == 16)

        let fromFlags = try load(environment: environment, overrides: Overrides(
            listen: "[::1]:7000", databaseURL: "host=/flag dbname=g", dataDir: "/srv/flag"
        ))
        #expect(fromFlags.server.listen == "[::1]:7000")
        #expect(fromFlags.listenHost == "::1")
        #expect(fromFlags.listenPort == 7000)
        #expect(fromFlags.database.url == "host=/flag dbname=g")
        #expect(fromFlags.database.dataDir == "/srv/flag")

        let partialFlags = try load(environment: environment, overrides: Overrides(listen: "[::1]:7000"))
        #expect(partialFlags.server.listen == "[::1]:7000")
        #expect(partialFlags.database.dataDir == "/srv/env", "a flag not given leaves the environment's value")
    }

    @Test("An empty database URL from the environment or a flag selects the embedded cluster")
    func emptyURL() throws {
        let file = try TemporaryConfigFile("[database]\nurl = \"host=/x\"")
        defer { file.remove() }
        #expect(try !load(configPath: file.path).usesEmbeddedDatabase)
        #expect(try load(configPath: file.path, environment: ["CADREFLOW_DATABASE_URL": ""]).usesEmbeddedDatabase)
        #expect(try load(configPath: file.path, overrides: Overrides(databaseURL: "")).usesEmbeddedDatabase)
    }

    @Test("Bad environment variables and flags are named as given")
    func badOverrides() {
        #expect(failure { try load(environment: ["CADREFLOW_LISTEN": "abc"]) }
            == "CADREFLOW_LISTEN=abc: expected host:port (e.g. 127.0.0.1:7420 or [::1]:7420)")
        #expect(failure { try load(overrides: Overrides(listen: "1.2.3.4:99999")) }
            == "--listen 1.2.3.4:99999: port must be between 1 and 65535")
        #expect(failure { try load(environment: ["CADREFLOW_DATA_DIR": ""]) } == "CADREFLOW_DATA_DIR=: must not be empty")
        #expect(failure { try load(overrides: Overrides(dataDir: "")) } == "--data-dir : must not be empty")
        #expect(failure { try load(environment: ["CADREFLOW_LISTEN": "abc"], overrides: Overrides(listen: "[::1]:1")) }
            .hasPrefix("CADREFLOW_LISTEN=abc"), "a bad variable is an error even when a flag overrides it")
    }

    @Test("Errors in the file name the file, the line and the key")
    func badFile() throws {
        let file = try TemporaryConfigFile("# comment\n[database]\npool_size = 0\n")
        defer { file.remove() }
        #expect(failure { try load(configPath: file.path) }
            == "\(file.path) line 3: database.pool_size = 0: must be between 1 and 256")
        let syntax = try TemporaryConfigFile("[server]\nlisten = \"open\n")
        defer { syntax.remove() }
        #expect(failure { try load(configPath: syntax.path) } == "\(syntax.path) line 2: unterminated string")
    }

    @Test("TLS certificate and key are set together or not at all")
    func tlsPair() throws {
        let one = try TemporaryConfigFile("[server]\ntls_certificate = \"/etc/c.pem\"")
        let both = try TemporaryConfigFile("[server]\ntls_certificate = \"/etc/c.pem\"\ntls_private_key = \"/etc/k.pem\"")
        defer { one.remove(); both.remove() }
        #expect(failure { try load(configPath: one.path) }.hasPrefix("\(one.path): server.tls_certificate and server.tls_private_key must be set together"))
        #expect(try load(configPath: both.path).server.tlsPrivateKey == "/etc/k.pem")
    }

    @Test("Vietnamese text in the file, the environment and flags round-trips")
    func vietnamese() throws {
        let file = try TemporaryConfigFile("[database]\ndata_dir = \"/srv/Hà Nội/dữ liệu\"\n")
        defer { file.remove() }
        #expect(try load(configPath: file.path).database.dataDir == "/srv/Hà Nội/dữ liệu")
        let escaped = try TemporaryConfigFile("[database]\ndata_dir = \"/srv/\\u0110\\u00E0 N\\u1EB5ng\"\n")
        defer { escaped.remove() }
        #expect(try load(configPath: escaped.path).database.dataDir == "/srv/Đà Nẵng")
        #expect(try load(environment: ["CADREFLOW_DATA_DIR": "/srv/Huế"]).database.dataDir == "/srv/Huế")
        #expect(try load(overrides: Overrides(dataDir: "/srv/Cần Thơ")).database.dataDir == "/srv/Cần Thơ")
    }
}
