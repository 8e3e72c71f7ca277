import Crypto
import _CryptoExtras
import Foundation

/// Salted, slow password hashes: PBKDF2-HMAC-SHA256 with at least 210,000 rounds (OWASP),
/// computed off the event loops and the cooperative pool.
public enum PasswordHasher {
    /// The work factor for new hashes.
    public static let rounds = 210_000

    /// A stored hash: salt, derived key (hex) and rounds.
    public struct Hash: Sendable, Equatable {
        /// Hex salt.
        public var salt: String
        /// Hex derived key.
        public var key: String
        /// PBKDF2 rounds.
        public var rounds: Int
    }

    /// Hashes a new password with a fresh random salt.
    public static func hash(_ password: String) async throws -> Hash {
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        let key = try await derive(password, salt: salt, rounds: rounds)
        return Hash(salt: hex(salt), key: key, rounds: rounds)
    }

    /// Checks a password against a stored hash in constant time.
    public static func verify(_ password: String, against stored: Hash) async throws -> Bool {
        guard let salt = bytes(fromHex: stored.salt) else { return false }
        let key = try await derive(password, salt: salt, rounds: stored.rounds)
        let left = Array(key.utf8)
        let right = Array(stored.key.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            // Utility, not user-initiated: on Linux that QoS runs at nice -2 and a storm of
            // logins then starves the event loops that serve everyone else.
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result {
                    let key = try KDF.Insecure.PBKDF2.deriveKey(
                        from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds
                    )
                    return key.withUnsafeBytes { hex(Array($0)) }
                })
            }
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(fromHex text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < characters.count {
            guard let byte = UInt8(String(decoding: characters[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
            index += 2
        }
        return out
    }
}
