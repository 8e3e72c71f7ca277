import CadreflowProtocol
import NIOCore

/// Collects upload lines until a lone `.`: drops a `\r` before the `\n`, undoes dot
/// stuffing, checks UTF-8 and the size limit, and remembers the first problem (with its
/// line number) while still reading to the end, so the connection stays in step.
///
/// Memory stays bounded by the limit: at the first problem (past the limit, not UTF-8,
/// a line past the line limit) the lines held so far are let go at once, and from then
/// on lines are only counted until the `.`.
struct UploadCollector {
    let limit: Int
    private var lines: [String] = []
    /// The data lines read so far (the terminating `.` is not one), held or not.
    private var count = 0
    private var bytes = 0
    private var problem: ProtocolError?

    init(limit: Int) {
        self.limit = limit
    }

    /// The bytes of the data lines read so far (with their newlines), held or not.
    var receivedBytes: Int { bytes }

    /// The lines held now (none once a problem was found).
    var heldLines: Int { lines.count }

    /// The capacity of the held lines' storage (zero once a problem was found).
    var heldCapacity: Int { lines.capacity }

    /// Takes one frame; returns the outcome once the terminating `.` arrived.
    mutating func take(_ frame: LineFrame) -> Result<[String], ProtocolError>? {
        switch frame {
        case .overlong:
            count += 1
            refuse(ProtocolError(.limit, "line \(count): longer than the line limit"))
            return nil
        case .line(let buffer):
            let view = buffer.readableBytesView
            var start = view.startIndex
            var end = view.endIndex
            if end > start, view[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if end - start == 1, view[start] == UInt8(ascii: ".") { return finish() }
            if end > start, view[start] == UInt8(ascii: ".") { start += 1 }
            count += 1
            bytes += end - start + 1
            guard problem == nil else { return nil }
            guard bytes <= limit else {
                refuse(ProtocolError(.limit, "line \(count): the upload is larger than \(limit) bytes"))
                return nil
            }
            guard let text = String(validating: view[start..<end], as: UTF8.self) else {
                refuse(ProtocolError(.invalid, "line \(count): not UTF-8 text; save the file as \"CSV UTF-8\""))
                return nil
            }
            lines.append(text)
            return nil
        }
    }

    /// The first problem, or the lines (handed over, not kept).
    private mutating func finish() -> Result<[String], ProtocolError> {
        if let problem { return .failure(problem) }
        let collected = lines
        lines = []
        return .success(collected)
    }

    /// Keeps the first problem and lets go of the lines read so far.
    private mutating func refuse(_ error: ProtocolError) {
        guard problem == nil else { return }
        problem = error
        lines = []
    }
}
