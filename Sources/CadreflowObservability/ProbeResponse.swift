import NIOHTTP1

/// One answer of the operators' HTTP listener: a status and a plain-text body.
public struct ProbeResponse: Sendable, Equatable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: [UInt8]

    /// A response of `body` as UTF-8 text.
    public init(_ status: HTTPResponseStatus, _ body: String, contentType: String = "text/plain; charset=utf-8") {
        self.init(status, bytes: Array(body.utf8), contentType: contentType)
    }

    /// A response of raw bytes.
    public init(_ status: HTTPResponseStatus, bytes: [UInt8], contentType: String) {
        self.status = status
        self.contentType = contentType
        self.body = bytes
    }
}
