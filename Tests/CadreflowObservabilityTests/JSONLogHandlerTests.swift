import CadreflowObservability
import Foundation
import Logging
import Synchronization
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    /// Collects what a handler writes.
    final class Lines: Sendable {
        let written = Mutex<[String]>([])
        var all: [String] { written.withLock { $0 } }
        func append(_ line: String) { written.withLock { $0.append(line) } }
    }

    @Test("Each record is one line of JSON: Vietnamese, quotes, newlines and control bytes survive; metadata at the top level")
    func oneObjectPerLine() throws {
        let lines = Lines()
        var logger = Logger(label: "cadreflow.test") { JSONLogHandler(label: $0, output: lines.append) }
        logger.logLevel = .debug
        logger[metadataKey: "session"] = "s1"
        logger.notice("đã duyệt \"Nguyễn Thị Lan\"\nline two\u{01}", metadata: [
            "command": "ASSESS APPROVE", "level": "clash", "count": "\(3)",
            "units": .array(["HN.A", "HN.B"]), "detail": .dictionary(["phường": "Hoàn Kiếm"]),
        ])
        logger.debug("second")
        logger.trace("below the level: not written")

        #expect(lines.all.count == 2)
        for line in lines.all {
            #expect(line.hasSuffix("}\n"))
            #expect(line.dropLast().contains("\n") == false, "a record spans more than one line: \(line)")
        }
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: Any])
        #expect(first["message"] as? String == "đã duyệt \"Nguyễn Thị Lan\"\nline two\u{01}")
        #expect(first["level"] as? String == "notice")
        #expect(first["label"] as? String == "cadreflow.test")
        #expect(first["command"] as? String == "ASSESS APPROVE")
        #expect(first["session"] as? String == "s1")
        #expect(first["_level"] as? String == "clash", "a metadata key named like a field keeps its value under _level")
        #expect(first["units"] as? [String] == ["HN.A", "HN.B"])
        #expect((first["detail"] as? [String: String])?["phường"] == "Hoàn Kiếm")
        let stamp = try #require(first["ts"] as? String)
        #expect(stamp.count == 24 && stamp.hasSuffix("Z"), "ts is UTC with milliseconds: \(stamp)")
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let when = try #require(parser.date(from: stamp))
        #expect(abs(when.timeIntervalSinceNow) < 60)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines.all[1].utf8)) as? [String: Any])
        #expect(second["message"] as? String == "second")
        #expect(second["session"] as? String == "s1")
    }
}
