@testable import CadreflowCommands
import Foundation
import Testing

/// TIMER LIST, HISTORY and SCHEDULE LIST share one formatter instead of making one per row.
@Suite("Timestamps in engine replies")
struct TimestampFormatTests {
    @Test("The shared formatter writes what a new ISO8601DateFormatter writes, from many tasks at once")
    func sameAsANewFormatter() async {
        // Whole seconds, microseconds, and values a hair below a second (formatted rounded up).
        let edges: [TimeInterval] = [0, 1_717_200_300, 1_717_200_300.999_999, 1_717_200_300.000_4, 4_102_444_799.999_9]
        let spread: [Date] = (0..<300).map { Date(timeIntervalSince1970: 1_700_000_000 + Double($0) * 86_399.000_7) }
        let dates: [Date] = spread + edges.map { Date(timeIntervalSince1970: $0) }
        let expected = dates.map { ISO8601DateFormatter().string(from: $0) }
        #expect(EngineCommands.timestamp(Date(timeIntervalSince1970: 1_717_200_300)) == "2024-06-01T00:05:00Z")
        await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask { dates.map { EngineCommands.timestamp($0) } }
            }
            for await formatted in group {
                #expect(formatted == expected)
            }
        }
    }
}
