/// One read-only statement and how to decode its result: a read that can travel on a
/// ``PostgresPool``'s read lanes without a task of its own (``PostgresPool/submit(_:completion:)``),
/// or be awaited (``PostgresPool/read(_:)``). `decode` runs on the lane's thread while the
/// result is in hand; it may also decide (throw a not-found or a scope error).
public struct PostgresRead<Value: Sendable>: Sendable {
    /// The statement.
    public let statement: PostgresStatement
    /// Turns the result into the value.
    public let decode: @Sendable (PostgresResult) throws -> Value

    /// A read of `sql` with its parameters.
    public init(_ sql: String, _ binds: [any PostgresEncodable] = [], decode: @escaping @Sendable (PostgresResult) throws -> Value) {
        self.statement = PostgresStatement(sql, binds)
        self.decode = decode
    }

    /// The same read, its value transformed (still on the lane's thread).
    public func map<Other: Sendable>(_ transform: @escaping @Sendable (Value) throws -> Other) -> PostgresRead<Other> {
        let decode = self.decode
        return PostgresRead<Other>(statement: statement) { try transform(decode($0)) }
    }

    /// The value of a result this read's statement got, or its error.
    public func value(from result: Result<PostgresResult, any Error>) -> Result<Value, any Error> {
        result.flatMap { result in Result { try decode(result) } }
    }

    private init(statement: PostgresStatement, decode: @escaping @Sendable (PostgresResult) throws -> Value) {
        self.statement = statement
        self.decode = decode
    }
}
