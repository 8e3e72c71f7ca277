import CadreflowEngine
import CadreflowProtocol
import CadreflowServer

/// The one mapping of an engine error to its protocol reply.
extension EngineError: ProtocolErrorConvertible {
    public var protocolError: ProtocolError {
        switch kind {
        case .notFound: return ProtocolError(.notFound, message)
        case .refused: return ProtocolError(.conflict, message)
        case .invalid: return ProtocolError(.invalid, message)
        case .unavailable: return ProtocolError(.unavailable, message)
        }
    }
}
