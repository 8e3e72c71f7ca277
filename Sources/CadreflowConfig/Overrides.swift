/// Command-line flags, parsed elsewhere: the highest-precedence layer of the configuration.
/// Nil means the flag was not given.
public struct Overrides: Sendable, Equatable {
    /// `--config`: the config file to read (it must exist).
    public var configPath: String?
    /// `--listen`: sets `server.listen`.
    public var listen: String?
    /// `--database-url`: sets `database.url` (empty: embedded cluster).
    public var databaseURL: String?
    /// `--data-dir`: sets `database.data_dir`.
    public var dataDir: String?

    /// Flags as given (nil: not given).
    public init(configPath: String? = nil, listen: String? = nil, databaseURL: String? = nil, dataDir: String? = nil) {
        self.configPath = configPath
        self.listen = listen
        self.databaseURL = databaseURL
        self.dataDir = dataDir
    }
}
