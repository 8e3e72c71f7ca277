import CadreflowProtocol

/// An error of a lower layer (the domain, the engine) that knows its protocol reply: the
/// server renders it through this, once, instead of knowing every layer's errors.
public protocol ProtocolErrorConvertible: Error {
    /// The `ERR CODE message` this error answers with.
    var protocolError: ProtocolError { get }
}
