import CadreflowPostgres
import CadreflowRules

/// The organisation kernel: units with their history, cadres with their records.
///
/// Writes take the caller's open transaction (the protocol server's, which also holds the
/// command's idempotency record and audit row) and check scope against the requester;
/// reads take a pooled connection and check scope in the same round trip as the row.
public struct OrganisationService: Sendable {
    let pool: PostgresPool
    let calendar: DomainCalendar
    let retirement: RetirementSchedule

    /// A service on a pool, with the service's calendar and the retirement schedule.
    public init(pool: PostgresPool, calendar: DomainCalendar, retirement: RetirementSchedule = .statutory) {
        self.pool = pool
        self.calendar = calendar
        self.retirement = retirement
    }

    /// The paths of units, locked, or `notFound` naming the first missing one.
    static func lockedPaths(_ codes: [String], on connection: PostgresConnection) throws -> [String: String] {
        let rows = try connection.query("SELECT code, path FROM units WHERE code = ANY($1::text[]) ORDER BY code FOR SHARE", codes).rows
        var paths: [String: String] = [:]
        for row in rows { paths[try row.decode(0)] = try row.decode(1) }
        if let missing = codes.first(where: { paths[$0] == nil }) { throw DomainError(.notFound, "unit \(missing) does not exist") }
        return paths
    }

    /// `denied` unless every unit lies in the requester's scope.
    static func requireScope(_ codes: [String], by requester: Requester, on connection: PostgresConnection) throws {
        let paths = try lockedPaths(codes, on: connection)
        for code in codes { try requester.requireCovers(unit: code, path: paths[code] ?? "") }
    }

    /// Maps a constraint violation to a domain error naming the record.
    static func mapped(_ error: any Error, record: String) -> any Error {
        guard let error = error as? PostgresError else { return error }
        switch error.code {
        case .uniqueViolation: return DomainError(.conflict, "\(record) exists already")
        case .checkViolation: return DomainError(.invalid, "\(record): \(error.constraint ?? error.message)")
        case .foreignKeyViolation: return DomainError(.notFound, "\(record): \(error.detail ?? error.message)")
        default: return error
        }
    }
}

/// "Today" for the domain: the service's clock read in the service's time zone.
public struct DomainCalendar: Sendable {
    private let today: @Sendable () -> CalendarDay

    /// A calendar reading `today` (the composition root passes the configured zone's day).
    public init(today: @escaping @Sendable () -> CalendarDay) {
        self.today = today
    }

    /// The current day.
    public func currentDay() -> CalendarDay { today() }
}
