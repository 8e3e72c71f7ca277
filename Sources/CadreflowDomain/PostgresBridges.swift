import CadreflowPostgres
import CadreflowRules

/// Days travel to PostgreSQL in their text form.
extension CalendarDay: PostgresEncodable {
    public var postgresText: String? { description }
}

extension PostgresRow {
    /// An optional `date` column (sent as text by the query) as a day.
    func day(_ column: Int) throws -> CalendarDay? {
        let text: String? = try decode(column)
        return text.flatMap { CalendarDay($0) }
    }

    /// A `date` column that is never NULL.
    func requiredDay(_ column: Int) throws -> CalendarDay {
        guard let day = try day(column) else { throw DomainError(.invalid, "column \(column): no date") }
        return day
    }
}
