import Crypto
import SystemSupport

/// GitHub-style webhook signatures: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
public enum WebhookSignature {
    /// The header name, lowercased.
    public static let header = "x-hub-signature-256"

    /// Whether `header` is the HMAC-SHA256 of `body` under `secret`; compared in constant time.
    public static func isValid(header: String?, body: [UInt8], secret: [UInt8]) -> Bool {
        guard let header, header.hasPrefix("sha256="), !secret.isEmpty,
            let mac = Hex.decode(header.dropFirst("sha256=".count)), mac.count == SHA256.byteCount
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: secret))
    }

    /// Whether a header looks like a signature (`sha256=` and 64 hex digits), before any body is read.
    public static func isWellFormed(_ header: String) -> Bool {
        guard header.hasPrefix("sha256=") else { return false }
        let hex = header.utf8.dropFirst(7)
        return hex.count == 64
            && hex.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }

    /// The header value for a body, as a sender computes it.
    public static func sign(body: [UInt8], secret: [UInt8]) -> String {
        "sha256=" + Hex.encode(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)))
    }
}
