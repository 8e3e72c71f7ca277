import CadreflowProtocol
import Metrics

/// What the protocol server reports through swift-metrics (the composition root chooses the
/// backend; none is a no-op): commands by name and result with their latency, open
/// connections, and uploads with their size.
public struct ServerMetrics: Sendable {
    /// The counter of answered commands, by `command` and `result` (`OK`, `GO` or the error code).
    public static let commandsLabel = "cadreflow_commands_total"
    /// The latency histogram of answered commands, by `command`.
    public static let durationLabel = "cadreflow_command_duration_seconds"
    /// The gauge of open protocol connections.
    public static let connectionsLabel = "cadreflow_connections_open"
    /// The counter of finished uploads, by `command` and `result`.
    public static let uploadsLabel = "cadreflow_uploads_total"
    /// The counter of bytes received in uploads.
    public static let uploadBytesLabel = "cadreflow_upload_bytes_total"

    private let connections = Gauge(label: Self.connectionsLabel)
    private let uploadBytes = Counter(label: Self.uploadBytesLabel)

    /// Metrics through the bootstrapped `MetricsSystem`.
    public init() {}

    /// Counts one answered command and records how long it took since `started` (nil: unknown).
    func command(_ name: String, _ reply: Reply, started: ContinuousClock.Instant?) {
        Counter(label: Self.commandsLabel, dimensions: [("command", name), ("result", Self.result(reply))]).increment()
        if let started {
            Metrics.Timer(label: Self.durationLabel, dimensions: [("command", name)]).record(duration: ContinuousClock.now - started)
        }
    }

    /// Sets the number of open connections.
    func openConnections(_ count: Int) {
        connections.record(count)
    }

    /// Counts one finished upload of `bytes` for `command`.
    func upload(_ command: String, _ reply: Reply, bytes: Int) {
        Counter(label: Self.uploadsLabel, dimensions: [("command", command), ("result", Self.result(reply))]).increment()
        uploadBytes.increment(by: bytes)
    }

    /// `OK`, `GO`, or the error's code.
    static func result(_ reply: Reply) -> String {
        switch reply {
        case .error(let error): return error.code.rawValue
        case .go: return "GO"
        default: return "OK"
        }
    }
}
