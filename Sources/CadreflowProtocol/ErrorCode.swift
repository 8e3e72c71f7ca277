/// The error codes of the admin protocol (`ERR <CODE> <message>`): a closed set.
public enum ErrorCode: String, Sendable, CaseIterable {
    /// The request line does not parse (quoting, escapes, UTF-8).
    case syntax = "SYNTAX"
    /// No such command.
    case unknown = "UNKNOWN"
    /// Not logged in, or the login failed.
    case auth = "AUTH"
    /// The role or unit scope does not allow it.
    case denied = "DENIED"
    /// The named thing does not exist.
    case notFound = "NOTFOUND"
    /// The state does not allow it now (exists already, wrong state, stale version).
    case conflict = "CONFLICT"
    /// A value is wrong (range, format, missing field).
    case invalid = "INVALID"
    /// A quota rule refused it.
    case quota = "QUOTA"
    /// A protocol limit was exceeded (line length, arguments, upload size, connections).
    case limit = "LIMIT"
    /// The server is busy; try again.
    case busy = "BUSY"
    /// The database is unreachable; try again.
    case unavailable = "UNAVAILABLE"
    /// A bug: the server could not handle the request.
    case `internal` = "INTERNAL"
}

/// A failed request: a code and a one-line message naming the field or line at fault.
/// Command handlers throw it; the session renders it as `ERR CODE message`.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The code.
    public var code: ErrorCode
    /// The message.
    public var message: String
    /// Every problem, when there are several (an upload's bad rows): JSON replies list them.
    public var details: [String]

    /// An error with a code and message.
    public init(_ code: ErrorCode, _ message: String, details: [String] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue) \(message)" }
}
