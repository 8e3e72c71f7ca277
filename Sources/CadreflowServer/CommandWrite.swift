import CadreflowPostgres
import CadreflowProtocol

/// How a state-changing command makes its change, so that the change, its `idem=` record
/// and its audit row commit together (or not at all).
public enum CommandWrite: Sendable {
    /// The change as a body run inside the server's transaction; the server claims the
    /// idempotency key first and writes the stored reply and the audit row before COMMIT.
    case inTransaction(@Sendable (PostgresConnection) throws -> Reply)
    /// The command commits by itself (an engine transition's group-commit batch, a bulk
    /// operation on its own connections): it must commit `records.statements` with its
    /// change, and, for `idem=`, make the change once per `records.idempotencyKey`.
    case committing(@Sendable (CommitRecords) async throws -> Reply)
    /// The command reads an upload first (the reply `GO`); its lines then give the write.
    case upload(prompt: String, finish: @Sendable ([String], Account) async throws -> CommandWrite)
    /// Nothing to change: the reply as it is (still audited).
    case reply(Reply)
}

/// What a self-committing command must commit with its change.
public struct CommitRecords: Sendable {
    /// The audit row of a successful command (and nothing else: the engine's own
    /// idempotency record stands for `idem=`).
    public let statements: [PostgresStatement]
    /// The request's `idem=` key, scoped to the account, when it has one.
    public let idempotencyKey: String?
}
