import CadreflowProtocol

/// One connection's state: who is logged in, the reply format, a pending upload.
public struct SessionState: Sendable {
    /// The logged-in account, if any.
    public var account: Account?
    /// The reply format.
    public var format: ReplyFormat = .text
    /// The client's address, for the audit trail.
    public let peer: String
    /// Set by QUIT: close after this reply.
    public var closing = false
    /// An upload the next lines belong to (after a `GO`).
    var upload: PendingUpload?

    /// A fresh session for a peer.
    public init(peer: String) {
        self.peer = peer
    }

    /// The account, or `ERR AUTH` when nobody is logged in.
    public func requireAccount() throws(ProtocolError) -> Account {
        guard let account else { throw ProtocolError(.auth, "log in first: AUTH <user> <password>") }
        return account
    }
}

/// An upload in progress: the command that asked for it and what its lines become.
struct PendingUpload: Sendable {
    let spec: CommandSpec
    let request: Request
    let finish: @Sendable ([String], Account) async throws -> CommandWrite
}
