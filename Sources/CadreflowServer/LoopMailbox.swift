import NIOCore
import Synchronization

/// Results that come back from the read lanes to the connections of one event loop.
///
/// A lane's batch answers many connections at once. Each connection used to get its own
/// task on the loop, and then another task to write. Now the first delivery wakes the loop
/// and the ones that arrive before it runs join it: the loop takes them all in one task,
/// makes each connection's replies (decoding and encoding here, not on the lane's
/// thread), fills their slots, and then has each connection it touched write once.
final class LoopMailbox: Sendable {
    /// One connection's finished reads: what makes their reply slots and texts (run on the loop).
    struct Delivery: Sendable {
        let bound: LoopBound
        let answers: @Sendable () -> [(slot: Int, text: String)]
    }

    private struct State {
        var deliveries: [Delivery] = []
        var scheduled = false
    }

    private let loop: any EventLoop
    private let state = Mutex(State())
    private static let mailboxes = Mutex<[ObjectIdentifier: LoopMailbox]>([:])

    private init(loop: any EventLoop) {
        self.loop = loop
    }

    /// The mailbox of an event loop (one per loop, made on first use).
    static func of(_ loop: any EventLoop) -> LoopMailbox {
        mailboxes.withLock { boxes in
            if let box = boxes[ObjectIdentifier(loop)] { return box }
            let box = LoopMailbox(loop: loop)
            boxes[ObjectIdentifier(loop)] = box
            return box
        }
    }

    /// Hands finished reads to their connection, from any thread: `answers` runs on the loop.
    func deliver(to bound: LoopBound, answers: @escaping @Sendable () -> [(slot: Int, text: String)]) {
        let wake = state.withLock { state -> Bool in
            state.deliveries.append(Delivery(bound: bound, answers: answers))
            if state.scheduled { return false }
            state.scheduled = true
            return true
        }
        if wake { loop.execute { self.drain() } }
    }

    private func drain() {
        let deliveries = state.withLock { state -> [Delivery] in
            let taken = state.deliveries
            state.deliveries.removeAll(keepingCapacity: true)
            state.scheduled = false
            return taken
        }
        var touched: [ObjectIdentifier: LoopBound] = [:]
        for delivery in deliveries {
            let answered = delivery.answers()
            delivery.bound.now { handler, context in handler.readsFinished(answered, context: context, writeLater: false) }
            touched[delivery.bound.id] = delivery.bound
        }
        for bound in touched.values {
            bound.now { handler, context in handler.writeOutput(context: context) }
        }
    }
}

/// A connection handler and its context, usable from any thread to run code back on
/// their event loop (where alone they may be touched).
struct LoopBound: Sendable {
    private let bound: NIOLoopBound<(handler: ConnectionHandler, context: ChannelHandlerContext)>
    private let loop: any EventLoop
    /// The handler's identity.
    let id: ObjectIdentifier

    init(_ handler: ConnectionHandler, _ context: ChannelHandlerContext) {
        loop = context.eventLoop
        bound = NIOLoopBound((handler: handler, context: context), eventLoop: context.eventLoop)
        id = ObjectIdentifier(handler)
    }

    /// Runs `body` on the event loop, later, with the handler and its context.
    func execute(_ body: @escaping @Sendable (ConnectionHandler, ChannelHandlerContext) -> Void) {
        let bound = bound
        loop.execute { body(bound.value.handler, bound.value.context) }
    }

    /// Runs `body` now; only on the event loop.
    func now(_ body: (ConnectionHandler, ChannelHandlerContext) -> Void) {
        body(bound.value.handler, bound.value.context)
    }
}
