import CadreflowProtocol
import NIOCore

/// Serves one connection on its event loop: the greeting, then one reply per request line,
/// in order, until QUIT, the end of the client's input, or the idle timeout.
///
/// Commands that never wait (PING, HELP, WHOAMI …), and every refusal made before a
/// command runs (syntax, unknown command, not logged in, role), are answered right here,
/// and the replies to one read go out in one write. A command that waits (the database,
/// the engine) runs as a task; the lines after it queue until its reply is written, so
/// replies keep the order of requests and an upload's lines reach the upload. While that
/// queue is long, the handler stops reading from the socket (back pressure).
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = [LineFrame]
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Queued lines past which the socket is no longer read.
    static let maxQueuedLines = 1_024

    private let executor: CommandExecutor
    private let greeting: String
    private var session: SessionState
    private var upload: UploadCollector
    private var queued = CircularBuffer<LineFrame>()
    private var output: ByteBuffer?
    /// A command is running in a task; the queue waits for it.
    private var waiting = false
    /// The client's input has ended (or the server is shutting down): close once answered.
    private var inputEnded = false
    /// The channel is gone; a running command's reply is dropped.
    private var inactive = false
    private var readHeld = false
    private var sessionReleased = false
    /// Succeeds once the connection is closed and no command of it is still running.
    private let finished: EventLoopPromise<Void>

    init(executor: CommandExecutor, greeting: String, finished: EventLoopPromise<Void>) {
        self.executor = executor
        self.greeting = greeting
        self.session = SessionState(peer: executor.peer)
        self.upload = UploadCollector(limit: executor.context.limits.maxUploadBytes)
        self.finished = finished
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        queued.append(contentsOf: unwrapInboundIn(data))
        if !waiting { answerQueued(context: context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        writeOutput(context: context)
        context.fireChannelReadComplete()
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
        if !waiting { end() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        executor.context.logger.debug("connection error", metadata: ["peer": "\(executor.peer)", "error": "\(error)"])
        context.close(promise: nil)
    }

    /// Holds socket reads while too many lines wait behind a running command.
    func read(context: ChannelHandlerContext) {
        if queued.count >= Self.maxQueuedLines {
            readHeld = true
        } else {
            context.read()
        }
    }

    /// Answers queued lines until one needs a task (or the queue is empty).
    private func answerQueued(context: ChannelHandlerContext) {
        while !waiting, !session.closing, let frame = queued.popFirst() {
            if let pending = session.upload {
                guard let collected = upload.take(frame) else { continue }
                upload = UploadCollector(limit: executor.context.limits.maxUploadBytes)
                session.upload = nil
                let executor = executor
                runTask(context: context) { session in await executor.finishUpload(collected, pending: pending, session: &session) }
                continue
            }
            switch executor.prepare(frame, session: &session) {
            case .reply(let reply):
                append(reply, context: context)
            case .task(let work):
                runTask(context: context, work)
            }
        }
        if session.closing {
            writeOutput(context: context)
            context.close(promise: nil)
            return
        }
        if readHeld, queued.count < Self.maxQueuedLines / 2 {
            readHeld = false
            context.read()
        }
        closeIfAnswered(context: context)
    }

    /// Runs a waiting command in a task with a copy of the session; its reply and the
    /// session it leaves come back to the event loop, which then answers the queue.
    private func runTask(context: ChannelHandlerContext, _ work: @escaping @Sendable (inout SessionState) async -> Reply) {
        waiting = true
        writeOutput(context: context)
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        let started = session
        Task {
            var session = started
            let reply = await work(&session)
            let finished = session
            loop.execute {
                bound.value.handler.taskFinished(reply, session: finished, context: bound.value.context)
            }
        }
    }

    private func taskFinished(_ reply: Reply, session finished: SessionState, context: ChannelHandlerContext) {
        waiting = false
        session = finished
        if inactive {
            end()
            return
        }
        append(reply, context: context)
        answerQueued(context: context)
        writeOutput(context: context)
    }

    private func append(_ reply: Reply, context: ChannelHandlerContext) {
        let text = ReplyEncoder.encode(reply, format: session.format)
        if output == nil { output = context.channel.allocator.buffer(capacity: max(256, text.utf8.count)) }
        output?.writeString(text)
    }

    private func writeOutput(context: ChannelHandlerContext) {
        guard let pending = output, pending.readableBytes > 0 else { return }
        output = nil
        context.writeAndFlush(wrapOutboundOut(pending), promise: nil)
    }

    private func closeIfAnswered(context: ChannelHandlerContext) {
        guard inputEnded, !waiting, queued.isEmpty, !inactive else { return }
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
