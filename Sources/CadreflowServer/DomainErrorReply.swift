import CadreflowProtocol
import CadreflowRules

/// The one mapping of a domain error to its protocol reply: `ERR CODE [line N: ][field: ]message`.
extension DomainError: ProtocolErrorConvertible {
    public var protocolError: ProtocolError {
        let codes: [DomainError.Code: ErrorCode] = [
            .invalid: .invalid, .notFound: .notFound, .conflict: .conflict, .denied: .denied, .quota: .quota, .unavailable: .unavailable,
        ]
        return ProtocolError(codes[code] ?? .invalid, description)
    }
}
