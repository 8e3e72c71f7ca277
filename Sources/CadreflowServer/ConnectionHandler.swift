import CadreflowPostgres
import CadreflowProtocol
import NIOCore

/// Serves one connection on its event loop: the greeting, then one reply per request line,
/// in order, until QUIT, the end of the client's input, or the idle timeout.
///
/// Commands that never wait (PING, HELP, WHOAMI …), and every refusal made before a
/// command runs (syntax, unknown command, not logged in, role), are answered right here.
/// Reads run as tasks at the same time as one another (up to ``maxReadTasks`` of them),
/// each with the session as it was when its line arrived; their replies wait in their
/// slots and go out in request order.
/// A write, or a command that changes the session (AUTH), runs alone: it starts once the
/// reads before it are answered, and the lines after it wait until it is done, so what a
/// client sends after a write sees the write, and an upload's lines reach the upload.
///
/// Back pressure both ways: while many lines wait, the socket is not read; while the
/// client does not read its replies (the channel is not writable: more than the high
/// water mark is queued for it), no further line is answered and the socket is not read
/// either, so one client that never reads holds a bounded buffer and no event-loop time.
/// If it never drains, the idle timeout closes it.
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = [LineFrame]
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Queued lines past which the socket is no longer read.
    static let maxQueuedLines = 1_024
    /// Lines answered in one turn of the event loop before the others get theirs (or
    /// fewer, once the turn's replies reach ``writeChunkBytes``).
    static let linesPerTurn = 256
    /// Replies written to the channel in one go at most (then writability is checked).
    static let writeChunkBytes = 64 * 1_024
    /// Read tasks of one connection running at once at most: past it, the next lines wait
    /// until one finishes, so that one client's burst of reads takes a few of the pool's
    /// connections, not all of them for as long as the burst lasts (the others' reads
    /// would wait out the checkout timeout behind it).
    static let maxReadTasks = 16

    private let executor: CommandExecutor
    private let greeting: String
    private var session: SessionState
    private var upload: UploadCollector
    private var queued = CircularBuffer<LineFrame>()
    /// Replies in request order; nil while its read is running. `firstSlot` numbers the first.
    private var replies = CircularBuffer<String?>()
    private var firstSlot = 0
    private var output: ByteBuffer?
    /// Reads running now.
    private var readsRunning = 0
    /// Of them, the reads running as tasks (see ``maxReadTasks``).
    private var readTasksRunning = 0
    /// A write or session command is running; nothing else starts.
    private var exclusiveRunning = false
    /// A write or session command waiting for the running reads to finish.
    private var exclusiveWaiting: CommandExecutor.Work?
    /// The client's input has ended (or the server is shutting down): close once answered.
    private var inputEnded = false
    /// The channel is gone; running commands' replies are dropped.
    private var inactive = false
    private var readHeld = false
    private var sessionReleased = false
    /// A write of the output is scheduled on the event loop (see ``scheduleWrite(context:)``).
    private var writeScheduled = false
    /// The rest of a long burst is to be answered in the event loop's next turn.
    private var answerScheduled = false
    /// Reply bytes made in the current turn of ``answerQueued(context:)``.
    private var turnBytes = 0
    /// One-statement reads of the lines being answered, sent together when the burst is
    /// done: each with its command's name (for errors), its reply slot and its format.
    private var queries: [(read: PostgresRead<Reply>, command: String, slot: Int, format: ReplyFormat)] = []
    /// Where this connection's one-statement reads go, once looked up (``readRoute(_:)``).
    private var route: ReadRoute?
    /// Succeeds once the connection is closed and no command of it is still running.
    private let finished: EventLoopPromise<Void>

    init(executor: CommandExecutor, greeting: String, finished: EventLoopPromise<Void>) {
        self.executor = executor
        self.greeting = greeting
        self.session = SessionState(peer: executor.peer)
        self.upload = UploadCollector(limit: executor.context.limits.maxUploadBytes)
        self.finished = finished
    }

    private var running: Bool { readsRunning > 0 || exclusiveRunning }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        queued.append(contentsOf: unwrapInboundIn(data))
        answerQueued(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        writeOutput(context: context)
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            answerQueued(context: context)
            writeOutput(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client's input ended, or the server is shutting down: answer what was read, then close.
        if (event as? ChannelEvent) == .inputClosed || event is ChannelShouldQuiesceEvent {
            inputEnded = true
            closeIfAnswered(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        queued.removeAll()
        exclusiveWaiting = nil
        if !running { end() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        executor.context.logger.debug("connection error", metadata: ["peer": "\(executor.peer)", "error": "\(error)"])
        context.close(promise: nil)
    }

    /// Holds socket reads while too many lines wait, or while the client is not reading.
    func read(context: ChannelHandlerContext) {
        if queued.count >= Self.maxQueuedLines || !context.channel.isWritable {
            readHeld = true
        } else {
            context.read()
        }
    }

    /// Answers queued lines until one must wait (a write behind running reads, a running
    /// write), the client stops reading, or the queue is empty.
    private func answerQueued(context: ChannelHandlerContext) {
        var answered = 0
        turnBytes = 0
        while !exclusiveRunning, exclusiveWaiting == nil, !session.closing, readTasksRunning < Self.maxReadTasks,
            context.channel.isWritable, let frame = queued.popFirst()
        {
            answered += 1
            if answered > Self.linesPerTurn || turnBytes >= Self.writeChunkBytes {
                // Fairness: a long burst (or one of large replies) is answered in turns, so
                // that the other connections of this event loop are served in between.
                queued.prepend(frame)
                scheduleAnswer(context: context)
                break
            }
            if let pending = session.upload {
                guard let collected = upload.take(frame) else { continue }
                let bytes = upload.receivedBytes
                upload = UploadCollector(limit: executor.context.limits.maxUploadBytes)
                session.upload = nil
                let executor = executor
                startExclusive(context: context) { session in await executor.finishUpload(collected, bytes: bytes, pending: pending, session: &session) }
                continue
            }
            switch executor.prepare(frame, session: &session) {
            case .reply(let reply):
                appendReply(ReplyEncoder.encode(reply, format: session.format), context: context)
            case .read(let work):
                startRead(context: context, work)
            case .query(let read, let command):
                startQuery(context: context, read, command: command)
            case .task(let work):
                submitQueries(context: context)
                startExclusive(context: context, work)
            }
        }
        submitQueries(context: context)
        if session.closing {
            // QUIT: once every earlier reply is out, close.
            closeIfAnswered(context: context)
            return
        }
        if readHeld, queued.count < Self.maxQueuedLines / 2, context.channel.isWritable {
            readHeld = false
            context.read()
        }
        closeIfAnswered(context: context)
    }

    /// Takes the next reply slot for a read: its number.
    private func openSlot() -> Int {
        let slot = firstSlot + replies.count
        replies.append(nil)
        readsRunning += 1
        return slot
    }

    /// Starts a read in a task now; its reply fills its slot when it comes back.
    private func startRead(context: ChannelHandlerContext, _ work: @escaping CommandExecutor.ReadWork) {
        let slot = openSlot()
        readTasksRunning += 1
        let format = session.format
        let loop = LoopBound(self, context)
        let started = session
        Task {
            let text = ReplyEncoder.encode(await work(started), format: format)
            loop.execute { handler, context in
                handler.readTasksRunning -= 1
                handler.readsFinished([(slot, text)], context: context)
            }
        }
    }

    /// Takes a slot for a one-statement read; the reads of one burst of lines travel
    /// together (``submitQueries(context:)``).
    private func startQuery(context: ChannelHandlerContext, _ read: PostgresRead<Reply>, command: String) {
        queries.append((read, command, openSlot(), session.format))
    }

    /// Sends the reads gathered by ``startQuery(context:_:command:)`` in one go: to the event
    /// loop's ``LoopReader`` (its next round trip on the loop's own connection), or, with
    /// `database.event_loop_reads` off, to the pool's read lanes in one pipelined batch,
    /// whose results come back to the event loop in one hop (``LoopMailbox``), with no
    /// task in between. Either way the rows are decoded and the replies encoded here.
    private func submitQueries(context: ChannelHandlerContext) {
        guard !queries.isEmpty else { return }
        let gathered = queries
        queries.removeAll(keepingCapacity: true)
        let executor = executor
        switch readRoute(context) {
        case .loop(let reader):
            // On this loop, in its next batch: the replies are made and written here.
            reader.submit(gathered.map(\.read)) { results in
                self.readsFinished(Self.answers(gathered, results, executor: executor), context: context, writeLater: false)
                self.writeOutput(context: context)
            }
        case .lanes(let mailbox):
            let loop = LoopBound(self, context)
            // Undecoded: the rows are decoded and the replies encoded on this event loop, so
            // the lane's thread only moves statements and results.
            executor.context.pool.submitUndecoded(gathered.map(\.read)) { results in
                mailbox.deliver(to: loop) { Self.answers(gathered, results, executor: executor) }
            }
        }
    }

    /// The replies of gathered reads from their results: each decoded, or its error, and encoded.
    private static func answers(
        _ gathered: [(read: PostgresRead<Reply>, command: String, slot: Int, format: ReplyFormat)], _ results: [Result<PostgresResult, any Error>],
        executor: CommandExecutor
    ) -> [(slot: Int, text: String)] {
        zip(gathered, results).map { query, result in
            let reply: Reply
            switch query.read.value(from: result) {
            case .success(let value): reply = value
            case .failure(let error):
                reply = .error(executor.protocolError(error, command: query.command))
                executor.countFailedQuery(query.command, reply)
            }
            return (slot: query.slot, text: ReplyEncoder.encode(reply, format: query.format))
        }
    }

    /// Where one-statement reads go: the event loop's ``LoopReader``, or (the pool has no
    /// inline reads) the read lanes, whose results come back through the loop's ``LoopMailbox``.
    private enum ReadRoute {
        case loop(LoopReader)
        case lanes(LoopMailbox)
    }

    /// This connection's ``ReadRoute``, looked up on its first read.
    private func readRoute(_ context: ChannelHandlerContext) -> ReadRoute {
        if let route { return route }
        let found = executor.context.loopReaders.reader(for: context.eventLoop).map(ReadRoute.loop) ?? .lanes(LoopMailbox.of(context.eventLoop))
        route = found
        return found
    }

    /// Reads have come back: their replies fill their slots, and whatever is ready goes out
    /// (with `writeLater`, once the event loop has run what is queued now; else the caller
    /// writes).
    func readsFinished(_ answered: [(slot: Int, text: String)], context: ChannelHandlerContext, writeLater: Bool = true) {
        readsRunning -= answered.count
        if inactive {
            if !running { end() }
            return
        }
        for (slot, text) in answered { replies[offset: slot - firstSlot] = text }
        flushReplies(context: context)
        if readsRunning == 0, let waiting = exclusiveWaiting {
            exclusiveWaiting = nil
            runExclusive(context: context, waiting)
        }
        answerQueued(context: context)
        if writeLater { scheduleWrite(context: context) }
    }

    /// Answers the rest of a long burst in the event loop's next turn.
    private func scheduleAnswer(context: ChannelHandlerContext) {
        guard !answerScheduled else { return }
        answerScheduled = true
        LoopBound(self, context).execute { handler, context in
            handler.answerScheduled = false
            guard !handler.inactive else { return }
            handler.answerQueued(context: context)
            handler.writeOutput(context: context)
        }
    }

    /// Writes the output once the event loop has run what is queued now: the replies of
    /// one pipelined batch, which come back one after another, leave in one write.
    private func scheduleWrite(context: ChannelHandlerContext) {
        guard !writeScheduled else { return }
        writeScheduled = true
        LoopBound(self, context).execute { handler, context in
            handler.writeScheduled = false
            handler.writeOutput(context: context)
        }
    }

    /// Runs a write or session command once the reads before it are answered.
    private func startExclusive(context: ChannelHandlerContext, _ work: @escaping CommandExecutor.Work) {
        if readsRunning > 0 {
            exclusiveWaiting = work
        } else {
            runExclusive(context: context, work)
        }
    }

    /// Runs the command in a task with a copy of the session; its reply and the session it
    /// leaves come back to the event loop, which then answers the queue.
    private func runExclusive(context: ChannelHandlerContext, _ work: @escaping CommandExecutor.Work) {
        exclusiveRunning = true
        writeOutput(context: context)
        let loop = LoopBound(self, context)
        let started = session
        Task {
            var session = started
            let reply = await work(&session)
            let finished = session
            loop.execute { handler, context in handler.exclusiveFinished(reply, session: finished, context: context) }
        }
    }

    private func exclusiveFinished(_ reply: Reply, session finished: SessionState, context: ChannelHandlerContext) {
        exclusiveRunning = false
        session = finished
        if inactive {
            end()
            return
        }
        appendReply(ReplyEncoder.encode(reply, format: session.format), context: context)
        answerQueued(context: context)
        writeOutput(context: context)
    }

    /// A reply made now: out at once when no earlier reply is still running, else in its slot.
    private func appendReply(_ text: String, context: ChannelHandlerContext) {
        if replies.isEmpty {
            writeText(text, context: context)
        } else {
            replies.append(text)
        }
    }

    /// Moves the replies that are ready, from the first on, to the output.
    private func flushReplies(context: ChannelHandlerContext) {
        while let first = replies.first, let text = first {
            replies.removeFirst()
            firstSlot += 1
            writeText(text, context: context)
        }
    }

    private func writeText(_ text: String, context: ChannelHandlerContext) {
        if output == nil { output = context.channel.allocator.buffer(capacity: max(256, text.utf8.count)) }
        turnBytes += output?.writeString(text) ?? 0
        if let pending = output, pending.readableBytes >= Self.writeChunkBytes {
            writeOutput(context: context)
        }
    }

    func writeOutput(context: ChannelHandlerContext) {
        guard let pending = output, pending.readableBytes > 0 else { return }
        output = nil
        context.writeAndFlush(wrapOutboundOut(pending), promise: nil)
    }

    private func closeIfAnswered(context: ChannelHandlerContext) {
        guard inputEnded || session.closing, !running, exclusiveWaiting == nil, replies.isEmpty, !inactive else { return }
        guard session.closing || queued.isEmpty else { return }
        writeOutput(context: context)
        context.close(promise: nil)
    }

    /// The connection is over and nothing of it runs any more: its session slot is freed.
    private func end() {
        guard !sessionReleased else { return }
        sessionReleased = true
        if let account = session.account { executor.context.sessions.closeSession(account.login) }
        finished.succeed(())
    }
}

/// Answers a connection over the server's cap with one error line, then closes it.
final class ConnectionRefuser: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let message: String

    init(message: String) {
        self.message = message
    }

    func channelActive(context: ChannelHandlerContext) {
        let closing = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: message)), promise: closing)
        let channel = context.channel
        closing.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
