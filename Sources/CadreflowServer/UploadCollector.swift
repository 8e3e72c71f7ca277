import CadreflowProtocol
import NIOCore

/// Collects upload lines until a lone `.`: undoes dot stuffing, checks UTF-8 and the size
/// limit, and remembers the first problem (with its line number) while still reading to
/// the end, so the connection stays in step.
struct UploadCollector {
    let limit: Int
    private var lines: [String] = []
    private var bytes = 0
    private var problem: ProtocolError?

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes one frame; returns the outcome once the terminating `.` arrived.
    mutating func take(_ frame: LineFrame) -> Result<[String], ProtocolError>? {
        let number = lines.count + 1
        switch frame {
        case .overlong:
            if problem == nil { problem = ProtocolError(.limit, "line \(number): longer than the line limit") }
            lines.append("")
            return nil
        case .line(let buffer):
            var body = Array(buffer.readableBytesView)
            if body.last == UInt8(ascii: "\r") { body.removeLast() }
            if body == [UInt8(ascii: ".")] {
                if let problem { return .failure(problem) }
                return .success(lines)
            }
            if body.first == UInt8(ascii: ".") { body.removeFirst() }
            bytes += body.count + 1
            if bytes > limit, problem == nil {
                problem = ProtocolError(.limit, "the upload is larger than \(limit) bytes")
            }
            guard problem == nil else { return nil }
            guard let text = String(validating: body, as: UTF8.self) else {
                problem = ProtocolError(.syntax, "line \(number): not valid UTF-8")
                return nil
            }
            lines.append(text)
            return nil
        }
    }
}
