import CadreflowPostgres
import CadreflowProtocol
import NIOCore
import Synchronization

/// The one-statement reads (``CommandSpec`` `query:` commands, such as CADRE SHOW) of one
/// event loop's connections, run on the loop itself.
///
/// Connections add their reads as their lines are answered; once the loop has run what
/// it has to do now (every connection that became readable in this turn has had its say),
/// the gathered reads go out in one pipelined round trip on the loop's own database
/// connection (``InlineReadConnection``), and each connection's replies are made and
/// written right there. No thread hands the batch to another and back: on a busy loop that
/// hop cost more than the database's work. The loop waits for the round trip; the reads
/// are indexed look-ups of one row, and the connection's statement and lock timeouts
/// bound what one batch can wait (see ``InlineReadConnection``).
/// While the loop's connection is not open (first use, or after the database went away),
/// a batch goes to the pool's read lanes and its replies come back to the loop (one task
/// on the loop per batch). One round trip carries at most the pool's read batch.
///
/// `@unchecked Sendable`: its mutable state is touched only on `loop`.
final class LoopReader: @unchecked Sendable {
    /// What a connection gets back for its reads: their results, in order, on the loop.
    typealias Delivery = ([Result<PostgresResult, any Error>]) -> Void

    private let loop: any EventLoop
    private let pool: PostgresPool
    private let connection: InlineReadConnection
    private var reads: [PostgresRead<Reply>] = []
    private var deliveries: [(count: Int, deliver: Delivery)] = []
    private var scheduled = false

    init(loop: any EventLoop, pool: PostgresPool, connection: InlineReadConnection) {
        self.loop = loop
        self.pool = pool
        self.connection = connection
    }

    /// Adds reads to the loop's next batch (on the loop); `deliver` runs on the loop.
    func submit(_ batch: [PostgresRead<Reply>], deliver: @escaping Delivery) {
        loop.assertInEventLoop()
        guard !batch.isEmpty else { return }
        reads.append(contentsOf: batch)
        deliveries.append((batch.count, deliver))
        if !scheduled {
            scheduled = true
            loop.execute { self.run() }
        }
    }

    private func run() {
        scheduled = false
        // At most the pool's read batch (64) in one round trip, whole connections' bursts
        // at a time; the rest in the loop's next turn, so that the loop serves its other
        // work between two round trips.
        var count = 0
        var taken = 0
        while taken < deliveries.count, count == 0 || count + deliveries[taken].count <= pool.configuration.maxReadBatch {
            count += deliveries[taken].count
            taken += 1
        }
        let sent = Array(reads.prefix(count))
        let waiting = Array(deliveries.prefix(taken))
        reads.removeFirst(count)
        deliveries.removeFirst(taken)
        if !deliveries.isEmpty {
            scheduled = true
            loop.execute { self.run() }
        }
        if let results = connection.results(sent.map(\.statement)) {
            Self.distribute(results, to: waiting)
            return
        }
        // The loop's connection is opening: this batch goes by the read lanes.
        let bound = NIOLoopBound(waiting, eventLoop: loop)
        pool.submitUndecoded(sent) { results in
            bound.eventLoop.execute { Self.distribute(results, to: bound.value) }
        }
    }

    private static func distribute(_ results: [Result<PostgresResult, any Error>], to deliveries: [(count: Int, deliver: Delivery)]) {
        var start = 0
        for (count, deliver) in deliveries {
            deliver(Array(results[start..<start + count]))
            start += count
        }
    }
}

/// The ``LoopReader`` of each event loop, for one server context (one pool).
final class LoopReaders: Sendable {
    private let pool: PostgresPool
    private let readers = Mutex<[ObjectIdentifier: LoopReader]>([:])

    init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The reader of `loop`, made on first use; nil when the pool has no inline reads.
    func reader(for loop: any EventLoop) -> LoopReader? {
        let key = ObjectIdentifier(loop)
        guard let connection = pool.inlineReadConnection(for: key) else { return nil }
        return readers.withLock { readers in
            if let known = readers[key] { return known }
            let made = LoopReader(loop: loop, pool: pool, connection: connection)
            readers[key] = made
            return made
        }
    }
}
