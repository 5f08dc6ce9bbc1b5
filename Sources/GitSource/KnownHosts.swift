import Crypto
import FoundationEssentials
import SystemSupport

/// Checks an ssh host key against a known_hosts file or a pinned SHA-256 fingerprint.
enum KnownHosts {
    /// `SHA256:<unpadded base64>` of a raw host key blob.
    static func fingerprint(_ key: [UInt8]) -> String {
        let digest = Data(SHA256.hash(data: key)).base64EncodedString()
        return "SHA256:" + digest.replacing("=", with: "")
    }

    /// Whether `key` is listed for `host` (`host` or `[host]:port`) in the known_hosts text.
    static func contains(_ key: [UInt8], host: String, port: Int?, knownHosts text: String) -> Bool {
        let names = port.map { $0 == 22 ? [host] : ["[\(host)]:\($0)"] } ?? [host]
        let encoded = Data(key).base64EncodedString()
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // Comments, and @revoked / @cert-authority lines, never vouch for a plain host key.
            guard fields.count >= 3, !fields[0].hasPrefix("#"), !fields[0].hasPrefix("@") else { continue }
            guard String(fields[2]) == encoded else { continue }
            for pattern in fields[0].split(separator: ",") {
                if names.contains(String(pattern)) { return true }
                if pattern.hasPrefix("|1|"), names.contains(where: { matchesHashed(String(pattern), name: $0) }) {
                    return true
                }
            }
        }
        return false
    }

    /// Whether `key` is marked `@revoked` for `host` in the known_hosts text: such a key "must not ever be
    /// accepted" (ssh(8)), whatever else vouches for it. Host patterns may use `*`, `?` and `!` (negation).
    static func isRevoked(_ key: [UInt8], host: String, port: Int?, knownHosts text: String) -> Bool {
        let names = port.map { $0 == 22 ? [host] : ["[\(host)]:\($0)"] } ?? [host]
        let encoded = Data(key).base64EncodedString()
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, fields[0] == "@revoked", String(fields[3]) == encoded else { continue }
            if names.contains(where: { matchesPatternList(String(fields[1]), name: $0) }) { return true }
        }
        return false
    }

    /// A comma-separated pattern list: a name matches when some pattern matches it and no negated one does.
    static func matchesPatternList(_ list: String, name: String) -> Bool {
        var matched = false
        for pattern in list.split(separator: ",").map(String.init) {
            if pattern.hasPrefix("!") {
                if Glob.matches(name, pattern: String(pattern.dropFirst())) { return false }
            } else if pattern.hasPrefix("|1|")
                ? matchesHashed(pattern, name: name) : Glob.matches(name, pattern: pattern)
            {
                matched = true
            }
        }
        return matched
    }

    /// Hashed entries: `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
    static func matchesHashed(_ pattern: String, name: String) -> Bool {
        let parts = pattern.split(separator: "|")
        guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
            let expected = Data(base64Encoded: String(parts[2]))
        else { return false }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
        return Data(code) == expected
    }
}
