import CadreflowPostgres
import Foundation
import Logging

/// Watches the embedded cluster while the service runs: when its server stops answering
/// (the postmaster died), it is started again — the pid file a killed postmaster leaves is
/// cleared — with a backoff of 1, 2, 4 … up to 30 seconds between failed attempts.
/// Meanwhile commands answer `ERR UNAVAILABLE`; the pools reconnect by themselves once the
/// server is back.
public struct ClusterSupervisor: Sendable {
    let cluster: EmbeddedCluster
    let interval: Duration
    let logger: Logger

    /// A supervisor checking `cluster` every `interval`.
    public init(cluster: EmbeddedCluster, interval: Duration = .seconds(1), logger: Logger) {
        self.cluster = cluster
        self.interval = interval
        self.logger = logger
    }

    /// Checks and restarts until the task is cancelled.
    public func run() async {
        var backoff: Duration = .seconds(1)
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            guard !cluster.isRunning else {
                backoff = .seconds(1)
                continue
            }
            logger.error("the embedded PostgreSQL does not answer: starting it again", metadata: ["dir": "\(cluster.clusterDirectory)"])
            let cluster = self.cluster
            let restarted = await Task.detached { () -> Result<Void, any Error> in
                Result { _ = try cluster.startOrAdopt() }
            }.value
            switch restarted {
            case .success:
                logger.notice("embedded PostgreSQL started again", metadata: ["dir": "\(cluster.clusterDirectory)"])
                backoff = .seconds(1)
            case .failure(let error):
                logger.error("the embedded PostgreSQL could not be started; trying again", metadata: ["error": "\(error)", "in": "\(backoff)"])
                do { try await Task.sleep(for: backoff) } catch { return }
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }
}
