import CLibPQ

extension PostgresConnection {
    /// The most statements a connection keeps prepared for pipelines.
    static let preparedStatementLimit = 256

    /// Prepares, once per connection, the SQL texts of a pipeline that are not prepared
    /// yet, so the server parses and plans each only once. Past the limit, further texts
    /// are sent unprepared (one-off SQL never fills the cache for good).
    func prepareRepeatedStatements(_ statements: [PostgresStatement]) throws {
        for statement in statements where preparedStatements[statement.sql] == nil {
            guard preparedStatements.count < PostgresConnection.preparedStatementLimit else { return }
            let name = "cf_\(preparedStatements.count)"
            let result = try checked(PQprepare(handle, name, statement.sql, 0, nil))
            _ = result
            preparedStatements[statement.sql] = name
        }
    }

    /// The server-side name of a prepared SQL text, if it is prepared.
    func preparedName(for sql: String) -> String? {
        preparedStatements[sql]
    }
}
