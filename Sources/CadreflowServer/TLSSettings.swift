import NIOSSL

/// TLS for the admin protocol, from a PEM certificate chain and private key.
public struct TLSSettings: Sendable {
    let context: NIOSSLContext

    /// Loads the files; the error names the file that could not be used.
    public init(certificatePath: String, privateKeyPath: String) throws {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw TLSSetupError(description: "server.tls_certificate \(certificatePath): cannot read a PEM certificate (\(error))")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        } catch {
            throw TLSSetupError(description: "server.tls_private_key \(privateKeyPath): cannot read a PEM private key (\(error))")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError(description: "TLS: the certificate and key do not work together (\(error))")
        }
    }
}

/// Why TLS could not be set up.
public struct TLSSetupError: Error, CustomStringConvertible {
    /// One line naming the setting at fault.
    public let description: String
}
