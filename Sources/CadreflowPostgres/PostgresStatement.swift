/// A statement with its parameters, ready to send later (in a pipeline or a batch).
public struct PostgresStatement: Sendable {
    /// The SQL text with `$n` placeholders.
    public var sql: String
    /// The parameters in text form; nil is NULL.
    public var parameters: [String?]

    /// A statement with encodable parameters.
    public init(_ sql: String, _ binds: [any PostgresEncodable] = []) {
        self.sql = sql
        self.parameters = binds.map { $0.postgresText }
    }

    /// A statement with variadic encodable parameters.
    public init(_ sql: String, _ first: any PostgresEncodable, _ rest: any PostgresEncodable...) {
        self.init(sql, [first] + rest)
    }

    /// A statement whose parameters are already in text form.
    public init(sql: String, parameters: [String?]) {
        self.sql = sql
        self.parameters = parameters
    }
}
