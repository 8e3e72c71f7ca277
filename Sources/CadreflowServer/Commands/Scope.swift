import CadreflowPostgres
import CadreflowProtocol

/// Unit-scope checks shared by the organisation commands.
enum Scope {
    /// The path of a unit, or `ERR NOTFOUND` naming it.
    static func unitPath(_ code: String, _ connection: PostgresConnection) throws -> String {
        guard let path = try connection.query("SELECT path FROM units WHERE code = $1", code).scalar(String.self) else {
            throw ProtocolError(.notFound, "unit \(code) does not exist")
        }
        return path
    }

    /// `ERR DENIED` unless the unit lies in the account's subtree.
    static func require(_ account: Account, covers code: String, path: String) throws {
        guard account.covers(unitPath: path) else { throw ProtocolError(.denied, "unit \(code) is outside your scope") }
    }
}
