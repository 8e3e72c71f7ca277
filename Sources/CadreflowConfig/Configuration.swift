import Foundation

/// The service's settings. Built-in defaults, overridden by the config file, then by
/// environment variables, then by command-line flags (see ``load(environment:overrides:)``).
/// Every key is documented in `config/cadreflow.toml` and `docs/OPERATIONS.md`.
public struct Configuration: Sendable, Equatable {
    /// `[server]`: where the admin protocol listens and the service's calendar.
    public struct Server: Sendable, Equatable {
        /// `listen`: host:port of the admin protocol (loopback by default).
        public var listen = "127.0.0.1:7420"
        /// `time_zone`: the zone of schedules and deadlines.
        public var timeZoneIdentifier = "Asia/Ho_Chi_Minh"
        /// `tls_certificate`: PEM certificate path; empty means no TLS.
        public var tlsCertificate = ""
        /// `tls_private_key`: PEM private key path; set together with the certificate.
        public var tlsPrivateKey = ""
    }

    /// `[database]`: which PostgreSQL and how many connections.
    public struct Database: Sendable, Equatable {
        /// `url`: a libpq connection string; empty runs the embedded cluster.
        public var url = ""
        /// `data_dir`: where the embedded cluster and other state live.
        public var dataDir = "./var"
        /// `pool_size`: connections in the pool.
        public var poolSize = 8
        /// `checkout_timeout_ms`: how long a request waits for a free connection.
        public var checkoutTimeoutMs = 5_000
        /// `health_check_idle_ms`: a connection idle this long is pinged before use.
        public var healthCheckIdleMs = 1_000
        /// `embedded_port`: the port number in the embedded cluster's socket name.
        public var embeddedPort = 5_432
    }

    /// `[protocol]`: limits of the admin protocol.
    public struct ProtocolLimits: Sendable, Equatable {
        /// `max_line_bytes`: longest request line.
        public var maxLineBytes = 16_384
        /// `max_arguments`: most words and key=value pairs in one request.
        public var maxArguments = 256
        /// `max_upload_bytes`: largest upload.
        public var maxUploadBytes = 268_435_456
        /// `idle_timeout_seconds`: an idle connection is closed after this long (0: never).
        public var idleTimeoutSeconds = 900
        /// `max_connections`: open connections per server.
        public var maxConnections = 1_024
        /// `max_connections_per_account`: open sessions per account.
        public var maxConnectionsPerAccount = 64
    }

    /// `[security]`: login lockout.
    public struct Security: Sendable, Equatable {
        /// `lockout_failures`: failed logins in a row that lock an account.
        public var lockoutFailures = 5
        /// `lockout_seconds`: how long the lock lasts.
        public var lockoutSeconds = 900
    }

    /// `[server]` settings.
    public var server = Server()
    /// `[database]` settings.
    public var database = Database()
    /// `[protocol]` settings.
    public var protocolLimits = ProtocolLimits()
    /// `[security]` settings.
    public var security = Security()

    /// The built-in defaults.
    public init() {}

    /// The host part of `server.listen` (without IPv6 brackets).
    public var listenHost: String { ListenAddress.split(server.listen)?.host ?? "127.0.0.1" }
    /// The port part of `server.listen`.
    public var listenPort: Int { ListenAddress.split(server.listen)?.port ?? 7420 }
    /// True when no database URL is set and the service runs its own cluster.
    public var usesEmbeddedDatabase: Bool { database.url.isEmpty }
    /// The schedule time zone (validated when loaded).
    public var timeZone: TimeZone { TimeZone(identifier: server.timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 7 * 3600) ?? .current }
}

/// Splits and checks `host:port` and `[v6]:port`.
enum ListenAddress {
    static func split(_ text: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(" "), let port = Int(portText), (1...65_535).contains(port) else { return nil }
        return (String(host), port)
    }
}
