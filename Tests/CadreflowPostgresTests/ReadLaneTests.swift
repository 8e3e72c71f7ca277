import CadreflowPostgres
import CadreflowTesting
import Testing

@Suite("The pool's read lanes: pipelined reads shared by concurrent tasks")
struct ReadLaneTests {
    let database: TestDatabase

    init() throws {
        database = try TestCluster.shared().makeDatabase(prefix: "lanes")
    }

    @Test("Many reads at once each get their own row; a bad one fails alone, with its own error")
    func concurrentReadsAndOneBad() async throws {
        let pool = database.pool(size: 2)
        defer { pool.close() }
        let outcomes = await withTaskGroup(of: (Int, Result<Int?, any Error>).self) { group in
            for index in 0..<200 {
                group.addTask {
                    // Every 50th read sends text that is no integer: the server refuses it.
                    let value = index % 50 == 7 ? "not-a-number" : String(index)
                    let result = await outcome { try await pool.read("SELECT $1::int * 2", [value]) { try $0.scalar(Int.self) } }
                    return (index, result)
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 200)
        for (index, outcome) in outcomes {
            if index % 50 == 7 {
                #expect((try? outcome.get()) == nil, "read \(index) should fail")
                if case .failure(let error as PostgresError) = outcome { #expect(error.code == .invalidInput, "\(error)") }
            } else {
                #expect((try? outcome.get()) == index * 2, "read \(index)")
            }
        }
    }

    @Test("A lane whose connection is killed fails that read with a connection error and reconnects for the next")
    func reconnects() async throws {
        let pool = database.pool(size: 1)
        defer { pool.close() }
        #expect(try await pool.read("SELECT 1", []) { try $0.scalar(Int.self) } == 1)
        let admin = try database.connect()
        let terminated = try admin.query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalar(Int.self) ?? 0
        // The lane's connection (opened by the first read) was among them: the next read meets a dead connection.
        #expect(terminated >= 1)
        var answered = false
        for _ in 0..<5 where !answered {
            do {
                answered = try await pool.read("SELECT 2", []) { try $0.scalar(Int.self) } == 2
            } catch let error as PostgresError {
                #expect(error.isConnectionFailure, "\(error)")
            }
        }
        #expect(answered)
    }
}

/// The value or the error of an async throwing call.
private func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
