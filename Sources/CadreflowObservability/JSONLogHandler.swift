#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// A `LogHandler` that writes each record as one line of JSON (`log.format = "json"`), for
/// log shippers: `ts` (UTC, milliseconds), `level`, `label`, `message`, `source`, then the
/// metadata's keys at the top level (a key that clashes with one of those gets a `_` in front).
public struct JSONLogHandler: LogHandler {
    /// Where finished lines go (each with its newline): standard error unless a test says otherwise.
    public typealias Output = @Sendable (String) -> Void

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: Output

    /// A handler for `label` writing to `output` (default: standard error, one write per line).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, output: @escaping Output = JSONLogHandler.standardError) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        var line = "{\"ts\":"
        JSONText.appendString(JSONText.timestamp(), to: &line)
        line += ",\"level\":"
        JSONText.appendString(event.level.rawValue, to: &line)
        line += ",\"label\":"
        JSONText.appendString(label, to: &line)
        line += ",\"message\":"
        JSONText.appendString(event.message.description, to: &line)
        line += ",\"source\":"
        JSONText.appendString(event.source, to: &line)
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            line += ","
            JSONText.appendString(Self.reserved.contains(key) ? "_" + key : key, to: &line)
            line += ":"
            JSONText.appendValue(value, to: &line)
        }
        line += "}\n"
        output(line)
    }

    private static let reserved: Set<String> = ["ts", "level", "label", "message", "source"]

    private static let writeLock = Mutex(())

    /// Writes a line to standard error in one call, one line at a time.
    public static let standardError: Output = { line in
        writeLock.withLock { _ in
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBufferPointer { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(2, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}
