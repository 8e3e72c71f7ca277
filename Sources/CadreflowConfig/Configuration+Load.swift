import Foundation

/// Command-line flags that override the file and the environment.
public struct Overrides: Sendable, Equatable {
    /// `--config`: the config file.
    public var configPath: String?
    /// `--listen`.
    public var listen: String?
    /// `--database-url`.
    public var databaseURL: String?
    /// `--data-dir`.
    public var dataDir: String?

    /// Flags as given (nil: not given).
    public init(configPath: String? = nil, listen: String? = nil, databaseURL: String? = nil, dataDir: String? = nil) {
        self.configPath = configPath
        self.listen = listen
        self.databaseURL = databaseURL
        self.dataDir = dataDir
    }
}

extension Configuration {
    /// The default config file, relative to the working directory.
    public static let defaultPath = "config/cadreflow.toml"

    /// Defaults, then the config file, then `CADREFLOW_LISTEN`, `CADREFLOW_DATABASE_URL`,
    /// `CADREFLOW_DATA_DIR`, then flags. The file is `--config`, else `CADREFLOW_CONFIG`,
    /// else `config/cadreflow.toml` (which may be absent; a named file must exist).
    public static func load(environment: [String: String], overrides: Overrides = Overrides()) throws -> Configuration {
        var configuration = Configuration()
        let named = overrides.configPath ?? environment["CADREFLOW_CONFIG"]
        let path = named ?? defaultPath
        if FileManager.default.fileExists(atPath: path) {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigurationError("\(path): cannot read the config file (\(error.localizedDescription))")
            }
            try configuration.apply(TOMLDocument(parsing: text, source: path), source: path)
        } else if let named {
            throw ConfigurationError("\(named): config file not found")
        }
        let layers: [(String, String?, String)] = [
            ("server.listen", environment["CADREFLOW_LISTEN"], "CADREFLOW_LISTEN"),
            ("database.url", environment["CADREFLOW_DATABASE_URL"], "CADREFLOW_DATABASE_URL"),
            ("database.data_dir", environment["CADREFLOW_DATA_DIR"], "CADREFLOW_DATA_DIR"),
            ("server.listen", overrides.listen, "--listen"),
            ("database.url", overrides.databaseURL, "--database-url"),
            ("database.data_dir", overrides.dataDir, "--data-dir"),
        ]
        for (keyName, value, origin) in layers {
            guard let value, let key = ConfigurationKey.all.first(where: { $0.name == keyName }) else { continue }
            try key.apply(.string(value), to: &configuration, origin: origin)
        }
        try configuration.validateTogether(source: path)
        return configuration
    }

    /// Applies a parsed file; an unknown key is an error naming it and its line.
    public mutating func apply(_ document: TOMLDocument, source: String) throws {
        let keys = Dictionary(uniqueKeysWithValues: ConfigurationKey.all.map { ($0.name, $0) })
        for (name, entry) in document.entries.sorted(by: { $0.value.line < $1.value.line }) {
            guard let key = keys[name] else {
                throw ConfigurationError("\(source) line \(entry.line): unknown key \"\(name)\"")
            }
            try key.apply(entry.value, to: &self, origin: "\(source) line \(entry.line): \(name)")
        }
    }

    private func validateTogether(source: String) throws {
        if server.tlsCertificate.isEmpty != server.tlsPrivateKey.isEmpty {
            throw ConfigurationError("\(source): server.tls_certificate and server.tls_private_key must be set together")
        }
    }
}
