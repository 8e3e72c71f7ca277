import CadreflowEngine
import CadreflowRules

extension WorkflowEngine {
    /// Runs a domain step whose rules are checked before its engine transition, answering a
    /// retry of a step that committed (its reply lost, or the same key sent twice at once)
    /// as the first was.
    ///
    /// A retry that the rules let through reaches the transition, and the engine replays
    /// the first outcome by `idempotencyKey`. A retry that they refuse (a domain error: the
    /// state or the version the first commit left, a deadline it moved) is answered, when
    /// the key committed a move of the same instance (`isSame`), from that outcome
    /// (`reply`); keys are per account, so that move was this caller's. The commit and its key are one transaction, so a
    /// state seen by the rules means its key is visible too. Other failures (a database
    /// down) are answered at once, without a second look.
    public func answeringRetries<Reply>(
        idempotencyKey: String?, isSame: (InstanceSnapshot) -> Bool, reply: (InstanceSnapshot) -> Reply,
        _ step: () async throws -> Reply
    ) async throws -> Reply {
        do {
            return try await step()
        } catch let error where idempotencyKey != nil && Self.mayBeRetryRefusal(error) {
            if let idempotencyKey, let first = try await storedOutcome(idempotencyKey: idempotencyKey), isSame(first.instance) {
                return reply(first.instance)
            }
            throw error
        }
    }

    /// A refusal that a committed first attempt of the same step could have caused.
    private static func mayBeRetryRefusal(_ error: any Error) -> Bool {
        if error is DomainError { return true }
        if let engine = error as? EngineError { return engine.kind == .refused }
        return false
    }
}
