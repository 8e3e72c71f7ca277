import Foundation

/// The service's settings. Built-in defaults, overridden by the config file, then by
/// environment variables, then by command-line flags
/// (see ``load(configPath:environment:overrides:)``). Every key is documented in
/// `config/cadreflow.toml`; the key table is in `ConfigurationKeys.swift`.
public struct Configuration: Sendable, Equatable {
    /// `[server]`: where the admin protocol listens and the service's calendar.
    public struct Server: Sendable, Equatable {
        /// `listen`: host:port of the admin protocol; `[::1]:7420` for IPv6. Default `127.0.0.1:7420`.
        public var listen = "127.0.0.1:7420"
        /// `unix_socket`: also serve the protocol on this unix-domain socket file (local
        /// clients: `cadreflow console --host /path/to/cadreflow.sock`); empty (the
        /// default) means TCP only. The file is made mode 0660; commands still need AUTH.
        public var unixSocket = ""
        /// `time_zone`: IANA zone of schedules and deadlines. Default `Asia/Ho_Chi_Minh`.
        public var timeZoneIdentifier = "Asia/Ho_Chi_Minh"
        /// `tls_certificate`: PEM certificate path; empty means no TLS.
        public var tlsCertificate = ""
        /// `tls_private_key`: PEM private key path; set together with the certificate.
        public var tlsPrivateKey = ""
        /// `shutdown_timeout_ms`: the longest a graceful shutdown waits before it cancels what
        /// is still running, 100...600000. Default 10000.
        public var shutdownTimeoutMs = 10_000
    }

    /// `[metrics]`: the operators' HTTP listener (Prometheus `/metrics`, `/healthz`, `/readyz`).
    public struct Metrics: Sendable, Equatable {
        /// `listen`: host:port of the listener; empty (the default) means off.
        public var listen = ""
    }

    /// `[log]`: how log records are written (to standard error).
    public struct Log: Sendable, Equatable {
        /// `format`: `text` (the default, one readable line each) or `json` (one JSON object a line).
        public var format = "text"
    }

    /// `[database]`: which PostgreSQL and how the pool uses it.
    public struct Database: Sendable, Equatable {
        /// `url`: a libpq connection string; empty runs the embedded cluster.
        public var url = ""
        /// `data_dir`: where the embedded cluster, its socket and its log live. Default `./var`.
        public var dataDir = "./var"
        /// `pool_size`: connections in the pool, 1...256. Default 8.
        public var poolSize = 8
        /// `checkout_timeout_ms`: how long a request waits for a free connection, 1...600000. Default 5000.
        public var checkoutTimeoutMs = 5_000
        /// `health_check_idle_ms`: a connection idle longer than this is pinged before use, 0...3600000. Default 1000.
        public var healthCheckIdleMs = 1_000
        /// `embedded_port`: the port number in the embedded cluster's unix socket name, 1024...65535. Default 5432.
        public var embeddedPort = 5_432
        /// `read_connections`: connections of their own that pipeline the read commands
        /// arriving together (0: reads borrow pool connections), 0...64. Default 2.
        public var readConnections = 2
        /// `event_loop_reads`: one-statement read commands (CADRE SHOW) run on each event
        /// loop's own database connection, on the loop (`no`: by the read connections), yes or no. Default yes.
        public var eventLoopReads = "yes"
    }

    /// `[protocol]`: limits of the line-based admin protocol.
    public struct ProtocolLimits: Sendable, Equatable {
        /// `max_line_bytes`: longest request line, 256...16777216. Default 16384.
        public var maxLineBytes = 16_384
        /// `max_arguments`: most words and key=value pairs in one request, 1...65536. Default 256.
        public var maxArguments = 256
        /// `max_upload_bytes`: largest upload, at least 1024. Default 268435456 (256 MiB).
        public var maxUploadBytes = 268_435_456
        /// `idle_timeout_seconds`: an idle connection is closed after this long (0: never), at most 86400. Default 900.
        public var idleTimeoutSeconds = 900
        /// `max_connections`: open connections per server, 1...100000. Default 1024.
        public var maxConnections = 1_024
        /// `max_connections_per_account`: open sessions per account, 1...100000. Default 64.
        public var maxConnectionsPerAccount = 64
        /// `listen_backlog`: connections the kernel holds before they are accepted (0: as
        /// many as `max_connections`), at most 65535. Default 0.
        public var listenBacklog = 0
    }

    /// `[security]`: login lockout.
    public struct Security: Sendable, Equatable {
        /// `lockout_failures`: failed logins in a row that lock an account, 1...100. Default 5.
        public var lockoutFailures = 5
        /// `lockout_seconds`: how long the lock lasts, 1...86400. Default 900.
        public var lockoutSeconds = 900
    }

    /// `[engine]`: the workflow engine.
    public struct Engine: Sendable, Equatable {
        /// `workflows_dir`: the folder of workflow definitions (`*.json`); empty (the default)
        /// means the ones built into the binary.
        public var workflowsDir = ""
        /// `schedules_file`: the calendar schedules (JSON); empty (the default) means the
        /// ones built into the binary.
        public var schedulesFile = ""
        /// `rules_dir`: the folder of assessment rule sets (`*.json`); empty (the default)
        /// means the ones built into the binary.
        public var rulesDir = ""
        /// `writers`: group-commit writers, each with its own connection.
        public var writers = 1
        /// `max_batch`: the most transitions one writer commits together.
        public var maxBatch = 512
        /// `tick_ms`: how often timers and schedules are checked, in milliseconds.
        public var tickMs = 1_000
        /// `bulk_workers`: connections a large bulk creation (opening a month) is written
        /// over at once, 1...16; 1 keeps it in one plain transaction. Default 2.
        public var bulkWorkers = 2
    }

    /// `[retirement]`: the statutory retirement age by sex, in months of age: the age before
    /// `base_year`, in `base_year`, the yearly step and the final age (Bộ luật Lao động
    /// 2019, NĐ 135/2020: men 60y3m in 2021 + 3 months a year to 62; women 55y4m + 4 months to 60).
    public struct Retirement: Sendable, Equatable {
        public var baseYear = 2021
        public var maleBeforeMonths = 720
        public var maleStartMonths = 723
        public var maleStepMonths = 3
        public var maleCapMonths = 744
        public var femaleBeforeMonths = 660
        public var femaleStartMonths = 664
        public var femaleStepMonths = 4
        public var femaleCapMonths = 720
    }

    /// `[exam]`: the defaults of competitive examinations (each exam may override the first
    /// four when created) and the automatic eligibility checks.
    public struct Exam: Sendable, Equatable {
        /// `min_candidates`: fewest eligible candidates for an exam to go ahead. Default 2.
        public var minCandidates = 2
        /// `written_weight_percent`: the written round's share of the total. Default 50.
        public var writtenWeightPercent = 50
        /// `pass_mark`: the pass mark of each round, 0...100. Default 50.
        public var passMark = 50
        /// `planning_required`: candidates must be in the planning pool, `yes` or `no`. Default yes.
        public var planningRequired = "yes"
        /// `discipline_years`: a disciplinary measure within this many years fails the check. Default 2.
        public var disciplineYears = 2
        /// `months_before_retirement`: a first appointment needs this many months left. Default 60.
        public var monthsBeforeRetirement = 60
    }

    /// `[assignment]`: the limits of rotations and secondments (Quy định 65-QĐ/TW, NĐ 138/2020).
    public struct Assignment: Sendable, Equatable {
        /// `rotation_minimum_months`: a rotation lasts at least this long. Default 36.
        public var rotationMinimumMonths = 36
        /// `rotation_months_before_retirement`: months a rotated cadre has left at the start. Default 120.
        public var rotationMonthsBeforeRetirement = 120
        /// `secondment_maximum_months`: a secondment lasts at most this long, extensions included. Default 36.
        public var secondmentMaximumMonths = 36
        /// `nursing_child_months`: no secondment for a woman nursing a child younger than this. Default 36.
        public var nursingChildMonths = 36
    }

    /// `[server]` settings.
    public var server = Server()
    /// `[database]` settings.
    public var database = Database()
    /// `[protocol]` settings.
    public var protocolLimits = ProtocolLimits()
    /// `[security]` settings.
    public var security = Security()
    /// `[metrics]` settings.
    public var metrics = Metrics()
    /// `[log]` settings.
    public var log = Log()
    /// `[engine]` settings.
    public var engine = Engine()
    /// `[retirement]` settings.
    public var retirement = Retirement()
    /// `[exam]` settings.
    public var exam = Exam()
    /// `[assignment]` settings.
    public var assignment = Assignment()

    /// The built-in defaults.
    public init() {}

    /// The host part of `server.listen`, without IPv6 brackets.
    public var listenHost: String { ListenAddress(server.listen)?.host ?? "127.0.0.1" }
    /// The port part of `server.listen`.
    public var listenPort: Int { ListenAddress(server.listen)?.port ?? 7420 }
    /// The host and port of `metrics.listen`, or nil when the listener is off.
    public var metricsAddress: (host: String, port: Int)? {
        ListenAddress(metrics.listen).map { ($0.host, $0.port) }
    }
    /// True when `database.url` is empty and the service runs its own cluster.
    public var usesEmbeddedDatabase: Bool { database.url.isEmpty }
    /// The zone of `server.time_zone` (checked when loaded; UTC+7 if set to an unknown name by hand).
    public var timeZone: TimeZone {
        TimeZone(identifier: server.timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 7 * 3600) ?? .current
    }
}
