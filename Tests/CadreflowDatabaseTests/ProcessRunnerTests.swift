import CadreflowDatabase
import Foundation
import Glibc
import Testing

/// What a child of the service inherits: the supervisor's postmaster, pg_ctl, the tools.
@Suite("ProcessRunner's children")
struct ProcessRunnerTests {
    @Test("A child gets standard input, output and error only, not the descriptors the parent has open without close-on-exec (SwiftNIO's accepted sockets are such)")
    func noInheritedDescriptors() throws {
        // A pipe opened the way SwiftNIO accepts connections: no close-on-exec.
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        #expect(fcntl(ends[1], F_GETFD) & FD_CLOEXEC == 0)
        let outcome = try ProcessRunner.run("/bin/sh", ["-c", "ls /proc/$$/fd"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let open = Set(outcome.output.split(separator: "\n").compactMap { Int32($0) })
        #expect(!open.contains(ends[0]) && !open.contains(ends[1]), "the child holds the pipe: \(open.sorted())")
        #expect(open.isSubset(of: [0, 1, 2, 3, 255]), "descriptors of the child: \(open.sorted())")
    }
}
