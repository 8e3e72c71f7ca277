import NIOCore

/// One framed request line, or the news that a line was too long.
public enum LineFrame: Sendable {
    /// A line without its `\n`.
    case line(ByteBuffer)
    /// A line longer than the limit; its bytes were discarded up to and including its `\n`.
    case overlong
}

/// Splits the byte stream into `\n`-terminated lines, up to a maximum length, and passes
/// on all the complete lines of one read together (a pipelined burst travels the channel
/// pipeline once). An overlong line is discarded as it streams in (memory stays bounded)
/// and reported once, when its end arrives, so that every request still gets exactly one
/// reply in order.
final class LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [LineFrame]

    private let maxLength: Int
    private var discarding = false

    init(maxLength: Int) {
        self.maxLength = maxLength
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var frames: [LineFrame] = []
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            if discarding || length > maxLength {
                discarding = false
                frames.append(.overlong)
            } else {
                frames.append(.line(buffer.getSlice(at: buffer.readerIndex, length: length) ?? ByteBuffer()))
            }
            buffer.moveReaderIndex(forwardBy: length + 1)
        }
        if buffer.readableBytes > maxLength {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            discarding = true
        }
        if !frames.isEmpty { context.fireChannelRead(wrapInboundOut(frames)) }
        return .needMoreData
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A half line at the end of the stream is not a request.
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
