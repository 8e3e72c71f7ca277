/// A domain rule's "no": a code from an extensible set, a message, and where the fault
/// lies (the field, and for a file the line). The protocol layer renders it once as
/// `ERR CODE message` (the `PostgresError` pattern: one struct, codes as static values).
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of fault: new areas add codes as static members of an extension.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A value is wrong (range, format, missing field).
        public static let invalid = Code(rawValue: "invalid")
        /// The named thing does not exist.
        public static let notFound = Code(rawValue: "not_found")
        /// The state does not allow it now (exists already, wrong state, stale version).
        public static let conflict = Code(rawValue: "conflict")
        /// The role or the unit scope does not allow it.
        public static let denied = Code(rawValue: "denied")
        /// A quota rule refused it.
        public static let quota = Code(rawValue: "quota")
        /// The capability is not available (yet, or now).
        public static let unavailable = Code(rawValue: "unavailable")
    }

    /// The code.
    public var code: Code
    /// One line saying what is wrong, naming the value.
    public var message: String
    /// The field at fault, when one is.
    public var field: String?
    /// The line of an uploaded file at fault, when one is.
    public var line: Int?
    /// Further problems found with this one (an upload's other bad rows), by line.
    public var others: [DomainError] = []

    /// An error; `field` and `line` prefix the message when rendered.
    public init(_ code: Code, _ message: String, field: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.line = line
    }

    /// The same error placed at a line of a file.
    public func at(line: Int) -> DomainError {
        var copy = self
        copy.line = line
        return copy
    }

    /// The same error with further problems found alongside it.
    public func with(others: [DomainError]) -> DomainError {
        var copy = self
        copy.others = others
        return copy
    }

    /// `line 4: born: 1990-13-01 is not a date YYYY-MM-DD`.
    public var description: String {
        var text = ""
        if let line { text += "line \(line): " }
        if let field { text += "\(field): " }
        return text + message
    }

    /// A wrong value of a field.
    public static func invalid(_ field: String, _ message: String) -> DomainError {
        DomainError(.invalid, message, field: field)
    }
}
