@testable import CadreflowConfig
import Foundation
import Testing

@Suite("Configuration keys: types, ranges and names in errors")
struct ConfigurationKeyTests {
    /// Applies `text` as a file called `f.toml` over the defaults.
    private func apply(_ text: String) throws -> Configuration {
        var configuration = Configuration()
        try configuration.apply(TOMLDocument(parsing: text, source: "f.toml"), source: "f.toml")
        return configuration
    }

    private func message(_ text: String) -> String {
        do {
            _ = try apply(text)
            return "no error"
        } catch {
            return String(describing: error)
        }
    }

    @Test("The key table's defaults are Configuration()'s, and it has 51 distinct keys")
    func tableDefaults() {
        let defaults = Configuration()
        #expect(ConfigurationKey.all.count == 51)
        #expect(Set(ConfigurationKey.all.map(\.name)).count == 51)
        #expect(ConfigurationKey.sections == ["server", "database", "protocol", "security", "metrics", "log", "engine", "retirement", "exam", "assignment"])
        for key in ConfigurationKey.all {
            #expect(key.value(in: defaults) == key.defaultValue, "\(key.name)")
        }
    }

    @Test("Every key can be set from a file")
    func everyKeySets() throws {
        let configuration = try apply("""
            [server]
            listen = "[::1]:9000"
            time_zone = "Europe/Berlin"
            tls_certificate = "/etc/cadreflow/cert.pem"
            tls_private_key = "/etc/cadreflow/key.pem"
            [database]
            url = "host=/tmp dbname=cadreflow"
            data_dir = "/srv/cadreflow"
            pool_size = 16
            checkout_timeout_ms = 250
            health_check_idle_ms = 0
            embedded_port = 6543
            [protocol]
            max_line_bytes = 1_048_576
            max_arguments = 1024
            max_upload_bytes = 1_099_511_627_776
            idle_timeout_seconds = 0
            max_connections = 100000
            max_connections_per_account = 1
            [security]
            lockout_failures = 10
            lockout_seconds = 60
            """)
        #expect(configuration.server.listen == "[::1]:9000")
        #expect(configuration.listenHost == "::1")
        #expect(configuration.listenPort == 9000)
        #expect(configuration.timeZone.identifier == "Europe/Berlin")
        #expect(configuration.server.tlsCertificate == "/etc/cadreflow/cert.pem")
        #expect(configuration.server.tlsPrivateKey == "/etc/cadreflow/key.pem")
        #expect(configuration.database.url == "host=/tmp dbname=cadreflow")
        #expect(!configuration.usesEmbeddedDatabase)
        #expect(configuration.database.dataDir == "/srv/cadreflow")
        #expect(configuration.database.poolSize == 16)
        #expect(configuration.database.checkoutTimeoutMs == 250)
        #expect(configuration.database.healthCheckIdleMs == 0)
        #expect(configuration.database.embeddedPort == 6543)
        #expect(configuration.protocolLimits.maxLineBytes == 1_048_576)
        #expect(configuration.protocolLimits.maxArguments == 1024)
        #expect(configuration.protocolLimits.maxUploadBytes == 1_099_511_627_776)
        #expect(configuration.protocolLimits.idleTimeoutSeconds == 0)
        #expect(configuration.protocolLimits.maxConnections == 100_000)
        #expect(configuration.protocolLimits.maxConnectionsPerAccount == 1)
        #expect(configuration.security.lockoutFailures == 10)
        #expect(configuration.security.lockoutSeconds == 60)
    }

    @Test("Defaults: helpers")
    func defaultHelpers() {
        let configuration = Configuration()
        #expect(configuration.listenHost == "127.0.0.1")
        #expect(configuration.listenPort == 7420)
        #expect(configuration.usesEmbeddedDatabase)
        #expect(configuration.timeZone.identifier == "Asia/Ho_Chi_Minh")
    }

    @Test("Unknown sections and keys are named as written, with their line", arguments: [
        ("[database]\npool_sise = 3", #"f.toml line 2: unknown key "database.pool_sise""#),
        ("# top\nlisten = \"a:1\"", #"f.toml line 2: unknown key "listen""#),
        ("[server]\nListen = \"a:1\"", #"f.toml line 2: unknown key "server.Listen""#),
        ("[nowhere]\nx = 1", "f.toml line 1: unknown section [nowhere]"),
        ("[server]\n[empty_and_unknown]\n", "f.toml line 2: unknown section [empty_and_unknown]"),
        ("[database]\nbad_key = 1\n[bad_section]", #"f.toml line 2: unknown key "database.bad_key""#),
    ])
    func unknownNames(text: String, expected: String) {
        #expect(message(text) == expected)
    }

    @Test("Values of the wrong type are named with the key", arguments: [
        ("[database]\npool_size = \"8\"", #"f.toml line 2: database.pool_size = "8": expected an integer, not a string"#),
        ("[database]\npool_size = true", "f.toml line 2: database.pool_size = true: expected an integer, not a boolean"),
        ("[server]\nlisten = 7420", "f.toml line 2: server.listen = 7420: expected a string in double quotes, not an integer"),
        ("[database]\nurl = false", "f.toml line 2: database.url = false: expected a string in double quotes, not a boolean"),
    ])
    func wrongTypes(text: String, expected: String) {
        #expect(message(text) == expected)
    }

    @Test("Every integer key accepts its bounds and rejects values just outside them")
    func everyRange() throws {
        for key in ConfigurationKey.all {
            guard case .integer(let path, _, let range) = key.kind else { continue }
            let section = key.section
            let name = String(key.name.dropFirst(section.count + 1))
            for inside in [range.lowerBound, range.upperBound] {
                #expect(try apply("[\(section)]\n\(name) = \(inside)")[keyPath: path] == inside, "\(key.name)")
            }
            let below = range.lowerBound - 1
            let allowed = range.upperBound == Int.max
                ? "must be at least \(range.lowerBound)"
                : "must be between \(range.lowerBound) and \(range.upperBound)"
            #expect(message("[\(section)]\n\(name) = \(below)") == "f.toml line 2: \(key.name) = \(below): \(allowed)")
            if range.upperBound < Int.max {
                let above = range.upperBound + 1
                #expect(message("[\(section)]\n\(name) = \(above)") == "f.toml line 2: \(key.name) = \(above): \(allowed)")
            }
        }
    }

    @Test("Out-of-range messages as documented")
    func rangeMessages() {
        #expect(message("[database]\npool_size = 0") == "f.toml line 2: database.pool_size = 0: must be between 1 and 256")
        #expect(message("[protocol]\nmax_upload_bytes = 1_023")
            == "f.toml line 2: protocol.max_upload_bytes = 1023: must be at least 1024")
        #expect(message("[protocol]\nidle_timeout_seconds = -1")
            == "f.toml line 2: protocol.idle_timeout_seconds = -1: must be between 0 and 86400")
    }

    @Test("String checks: time zone, data directory")
    func stringChecks() {
        #expect(message("[server]\ntime_zone = \"Mars/Olympus_Mons\"").hasPrefix(
            #"f.toml line 2: server.time_zone = "Mars/Olympus_Mons": unknown time zone"#))
        #expect(message("[server]\ntime_zone = \"\"").contains("unknown time zone"))
        #expect(message("[database]\ndata_dir = \"\"") == #"f.toml line 2: database.data_dir = "": must not be empty"#)
        #expect(message("[server]\ntime_zone = \"UTC\"") == "no error")
    }

    @Test("Workflows and schedules default to empty (the built-in ones); a path overrides; empty is accepted")
    func definitionPaths() throws {
        let defaults = Configuration()
        #expect(defaults.engine.workflowsDir == "")
        #expect(defaults.engine.schedulesFile == "")
        let configured = try apply("[engine]\nworkflows_dir = \"/etc/cadreflow/workflows\"\nschedules_file = \"/etc/cadreflow/schedules.json\"")
        #expect(configured.engine.workflowsDir == "/etc/cadreflow/workflows")
        #expect(configured.engine.schedulesFile == "/etc/cadreflow/schedules.json")
        #expect(message("[engine]\nworkflows_dir = \"\"\nschedules_file = \"\"") == "no error")
    }

    @Test("The first problem by line is the one reported")
    func firstProblemWins() {
        #expect(message("[database]\npool_size = 0\nwhat = 1") == "f.toml line 2: database.pool_size = 0: must be between 1 and 256")
        #expect(message("[database]\nwhat = 1\npool_size = 0") == #"f.toml line 2: unknown key "database.what""#)
    }
}
