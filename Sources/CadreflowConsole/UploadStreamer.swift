import Foundation

/// Sends a local file as an upload (after the server's `GO`): dot-stuffs lines that begin
/// with `.`, ends with a lone `.`, and reports progress (bytes and rows, rate, time left).
public struct UploadStreamer {
    /// Progress so far.
    public struct Progress: Sendable, Equatable {
        /// Bytes sent.
        public var bytes: Int
        /// Total bytes of the file.
        public var total: Int
        /// Lines sent.
        public var rows: Int
        /// Seconds since the start.
        public var seconds: Double

        /// Progress from its counts.
        public init(bytes: Int, total: Int, rows: Int, seconds: Double) {
            self.bytes = bytes
            self.total = total
            self.rows = rows
            self.seconds = seconds
        }

        /// A one-line progress bar: `[#####-----] 52% 1.2 MB/2.3 MB 41,000 rows 3.1 MB/s 0:01 left`.
        public var bar: String {
            let fraction = total > 0 ? Double(bytes) / Double(total) : 1
            let filled = Int(fraction * 24)
            let rate = seconds > 0 ? Double(bytes) / seconds : 0
            let left = rate > 0 ? Int(Double(total - bytes) / rate) : 0
            func megabytes(_ value: Double) -> String { String(format: "%.1f MB", value / 1_000_000) }
            return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled) + "] "
                + String(format: "%3d%% ", Int(fraction * 100)) + "\(megabytes(Double(bytes)))/\(megabytes(Double(total))) "
                + "\(rows) rows \(megabytes(rate))/s \(left / 60):\(String(format: "%02d", left % 60)) left"
        }
    }

    /// The file's lines, dot-stuffed, and the terminator, in chunks; `progress` is called
    /// after each chunk.
    public static func stream(file path: String, to client: ProtocolClient, progress: (Progress) -> Void) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProtocolClient.Failure(description: "cannot read \(path)")
        }
        let started = ContinuousClock.now
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        var sent = 0
        var rows = 0
        var lineStart = true
        func elapsed() -> Double {
            let duration = ContinuousClock.now - started
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        for byte in data {
            if lineStart, byte == UInt8(ascii: ".") { chunk.append(UInt8(ascii: ".")) }
            chunk.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
            if lineStart { rows += 1 }
            sent += 1
            if chunk.count >= 1 << 20 {
                try client.write(chunk)
                chunk.removeAll(keepingCapacity: true)
                progress(Progress(bytes: sent, total: data.count, rows: rows, seconds: elapsed()))
            }
        }
        if !lineStart { chunk.append(UInt8(ascii: "\n")); rows += 1 }
        chunk += Array(".\n".utf8)
        try client.write(chunk)
        progress(Progress(bytes: data.count, total: data.count, rows: rows, seconds: elapsed()))
    }
}
