import CadreflowProtocol
import CadreflowRules

/// The one mapping of a domain error to its protocol reply: `ERR CODE [line N: ][field: ]message`.
extension DomainError: ProtocolErrorConvertible {
    public var protocolError: ProtocolError {
        let codes: [DomainError.Code: ErrorCode] = [
            .invalid: .invalid, .notFound: .notFound, .conflict: .conflict, .denied: .denied, .quota: .quota, .unavailable: .unavailable,
        ]
        guard !others.isEmpty else { return ProtocolError(codes[code] ?? .invalid, description) }
        // Text shows the first three; JSON carries them all (`errors`).
        let all = [description] + others.map(\.description)
        let shown = all.prefix(3).joined(separator: "; ")
        let more = all.count > 3 ? " (and \(all.count - 3) more; FORMAT json lists them all)" : ""
        return ProtocolError(codes[code] ?? .invalid, shown + more, details: all)
    }
}
