import CadreflowPostgres
import Foundation

extension EngineTransaction {
    /// Applies one transition to one instance inside the caller's transaction: the
    /// instance is locked, the move decided by the state machine, its guard and effect run
    /// (seeing the instance), and its history and timers written — as a lane would, but
    /// committing with the caller's other writes (a domain command that creates an instance
    /// and checks it at once, for example). A refusal throws ``EngineError``.
    @discardableResult
    public func move(
        _ ref: InstanceRef, transition: String, actor: Actor, fields: [String: String] = [:], reason: String? = nil,
        expectedVersion: Int64? = nil, requestID: String? = nil
    ) throws -> InstanceSnapshot {
        let instances = try TransitionApplier.lockInstances([ref], connection: connection)
        guard let snapshot = instances[ref] else { throw EngineError(.notFound, "no instance \(ref)") }
        let command = TransitionCommand(
            instance: ref, transition: transition, actor: actor, fields: fields, reason: reason, expectedVersion: expectedVersion, requestID: requestID
        )
        switch try TransitionApplier(context: context).apply(command, to: snapshot, connection: connection) {
        case .failure(let error):
            throw error
        case .success(let applied):
            var writes = TransitionWrites()
            writes.add(applied.record)
            try writes.send(on: connection, commit: false)
            return applied.outcome.instance
        }
    }
}
