import Foundation

extension Configuration {
    /// The config file read when no file is named, relative to the working directory.
    public static let defaultPath = "config/cadreflow.toml"

    /// Loads the configuration: built-in defaults, then the config file, then the environment
    /// (`CADREFLOW_LISTEN`, `CADREFLOW_DATABASE_URL`, `CADREFLOW_DATA_DIR`), then `overrides`.
    ///
    /// The file is `overrides.configPath` (`--config`), else `configPath`, else
    /// `CADREFLOW_CONFIG`, else ``defaultPath``. A named file must exist; the default one
    /// may be absent (the defaults then stand). Other environment variables are ignored.
    /// - Throws: ``ConfigurationError`` naming the file and line, the variable or the flag.
    public static func load(
        configPath: String? = nil, environment: [String: String], overrides: Overrides = Overrides()
    ) throws -> Configuration {
        try load(configPath: configPath, environment: environment, overrides: overrides, fallbackPath: defaultPath)
    }

    /// ``load(configPath:environment:overrides:)`` with another file in place of ``defaultPath``.
    static func load(
        configPath: String?, environment: [String: String], overrides: Overrides, fallbackPath: String
    ) throws -> Configuration {
        var configuration = Configuration()
        let file: (path: String, origin: String?)
        if let path = overrides.configPath {
            file = (path, "--config \(path)")
        } else if let path = configPath {
            file = (path, path)
        } else if let path = environment["CADREFLOW_CONFIG"] {
            file = (path, "CADREFLOW_CONFIG=\(path)")
        } else {
            file = (fallbackPath, nil)
        }
        if let text = try readFile(file.path, namedBy: file.origin) {
            try configuration.apply(TOMLDocument(parsing: text, source: file.path), source: file.path)
        }
        let layers: [(key: String, value: String?, origin: ValueOrigin)] = [
            ("server.listen", environment["CADREFLOW_LISTEN"], .environment("CADREFLOW_LISTEN")),
            ("server.unix_socket", environment["CADREFLOW_UNIX_SOCKET"], .environment("CADREFLOW_UNIX_SOCKET")),
            ("database.url", environment["CADREFLOW_DATABASE_URL"], .environment("CADREFLOW_DATABASE_URL")),
            ("database.data_dir", environment["CADREFLOW_DATA_DIR"], .environment("CADREFLOW_DATA_DIR")),
            ("metrics.listen", environment["CADREFLOW_METRICS_LISTEN"], .environment("CADREFLOW_METRICS_LISTEN")),
            ("log.format", environment["CADREFLOW_LOG_FORMAT"], .environment("CADREFLOW_LOG_FORMAT")),
            ("server.listen", overrides.listen, .flag("--listen")),
            ("database.url", overrides.databaseURL, .flag("--database-url")),
            ("database.data_dir", overrides.dataDir, .flag("--data-dir")),
        ]
        for layer in layers {
            guard let value = layer.value, let key = ConfigurationKey.named(layer.key) else { continue }
            try key.apply(.string(value), to: &configuration, origin: layer.origin)
        }
        try configuration.checkCombinations(source: file.path)
        return configuration
    }

    /// Applies a parsed config file over these settings. An unknown section or key, a value of
    /// the wrong type or out of range throws an error naming `source`, the line and the key.
    public mutating func apply(_ document: TOMLDocument, source: String) throws {
        let knownSections = ConfigurationKey.sections
        let unknownSection = document.sections
            .filter { !knownSections.contains($0.key) }
            .min { $0.value < $1.value }
        for (name, entry) in document.entries.sorted(by: { $0.value.line < $1.value.line }) {
            if let unknownSection, unknownSection.value < entry.line {
                throw ConfigurationError("\(source) line \(unknownSection.value): unknown section [\(unknownSection.key)]")
            }
            guard let key = ConfigurationKey.named(name) else {
                throw ConfigurationError("\(source) line \(entry.line): unknown key \"\(name)\"")
            }
            try key.apply(entry.value, to: &self, origin: .file(path: source, line: entry.line, key: name))
        }
        if let unknownSection {
            throw ConfigurationError("\(source) line \(unknownSection.value): unknown section [\(unknownSection.key)]")
        }
    }

    /// The file's text; nil when the unnamed default file is absent.
    private static func readFile(_ path: String, namedBy origin: String?) throws -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            guard let origin else { return nil }
            throw ConfigurationError("\(origin): config file not found")
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError("\(origin ?? path): is a directory, not a config file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("\(origin ?? path): cannot read the config file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("\(origin ?? path): the config file is not valid UTF-8")
        }
        return text
    }

    /// Rules that involve more than one key.
    private func checkCombinations(source: String) throws {
        if server.tlsCertificate.isEmpty != server.tlsPrivateKey.isEmpty {
            throw ConfigurationError(
                "\(source): server.tls_certificate and server.tls_private_key must be set together (one is empty)"
            )
        }
    }
}
