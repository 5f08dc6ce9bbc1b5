import Crypto
public import FoundationEssentials
import Synchronization
import SystemSupport
import UTCTime

/// AWS Signature Version 4 for JSON-protocol POST requests, as botocore's `SigV4Auth` computes it.
///
/// Pure and `Sendable`: the date is a parameter, so tests reproduce published vectors byte for byte.
public struct SigV4Signer: Sendable {
    /// The signing region.
    public var region: String
    /// The signing service name, e.g. `dynamodb` or `kms`.
    public var service: String

    /// Creates a signer for one region and service.
    public init(region: String, service: String) {
        self.region = region
        self.service = service
    }

    /// Everything a signature is made of, for tests and debugging (never logged: it holds no secret,
    /// but the final header does).
    public struct Signature: Sendable {
        /// The canonical request.
        public var canonicalRequest: String
        /// The string to sign.
        public var stringToSign: String
        /// The hex signature.
        public var signature: String
        /// The headers to send: the given ones plus `X-Amz-Date`, `X-Amz-Security-Token` and `Authorization`.
        public var headers: [(name: String, value: String)]
        /// The `Authorization` header value.
        public var authorization: String
    }

    /// Signs a request.
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - host: the `Host` header value (with `:port` when not the scheme default).
    ///   - path: the canonical URI, `/` for JSON-protocol services.
    ///   - headers: the headers that will be sent, besides `Host` (all are signed).
    ///   - body: the exact body bytes.
    ///   - credentials: the credentials to sign with.
    ///   - date: the signing time.
    public func sign(
        method: String = "POST",
        host: String,
        path: String = "/",
        headers: [(name: String, value: String)],
        body: [UInt8],
        credentials: AWSCredentials,
        date: Date
    ) -> Signature {
        let amzDate = Self.amzDate(date)
        let dateStamp = String(amzDate.prefix(8))
        var outgoing = headers
        outgoing.append(("X-Amz-Date", amzDate))
        if let token = credentials.sessionToken {
            outgoing.append(("X-Amz-Security-Token", token))
        }
        var canonical: [String: [String]] = ["host": [host]]
        for header in outgoing {
            let value = header.value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            canonical[header.name.lowercased(), default: []].append(value)
        }
        let names = canonical.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        var canonicalRequest = "\(method)\n\(path)\n\n"
        for name in names {
            canonicalRequest += "\(name):\(canonical[name]!.joined(separator: ","))\n"
        }
        canonicalRequest += "\n\(signedHeaders)\n\(Self.hex(SHA256.hash(data: body)))"
        let scope = "\(dateStamp)/\(region)/\(service)/aws4_request"
        let stringToSign =
            "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))))"
        let signingKey = Self.keyCache.key(
            secret: credentials.secretAccessKey,
            dateStamp: dateStamp,
            region: region,
            service: service
        )
        let signature = Self.hex(
            HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: signingKey))
        )
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        outgoing.append(("Authorization", authorization))
        return Signature(
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            signature: signature,
            headers: outgoing,
            authorization: authorization
        )
    }

    /// The derived signing key for a day, region and service.
    public static func signingKey(secret: String, dateStamp: String, region: String, service: String) -> [UInt8] {
        var key = Array("AWS4\(secret)".utf8)
        for part in [dateStamp, region, service, "aws4_request"] {
            key = Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: SymmetricKey(data: key)))
        }
        return key
    }

    /// Derived keys change once a day per credentials, region and service: derive them once.
    static let keyCache = SigningKeyCache()

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func amzDate(_ date: Date) -> String {
        UTCTime.basic(date)
    }

    /// Lower-case hex of bytes.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Hex.encode(bytes)
    }

    static func hex<D: Digest>(_ digest: D) -> String {
        hex(Array(digest))
    }

    static func hex<H: HashFunction>(_ code: HashedAuthenticationCode<H>) -> String {
        hex(Array(code))
    }
}

/// The last few derived signing keys, keyed by everything they are derived from.
final class SigningKeyCache: Sendable {
    private struct Entry {
        var secret: String
        var dateStamp: String
        var region: String
        var service: String
        var key: [UInt8]
    }

    private let entries = Mutex<[Entry]>([])

    func key(secret: String, dateStamp: String, region: String, service: String) -> [UInt8] {
        let cached = entries.withLock { entries in
            entries.first {
                $0.dateStamp == dateStamp && $0.region == region && $0.service == service && $0.secret == secret
            }?.key
        }
        if let cached { return cached }
        let key = SigV4Signer.signingKey(secret: secret, dateStamp: dateStamp, region: region, service: service)
        entries.withLock { entries in
            entries.append(Entry(secret: secret, dateStamp: dateStamp, region: region, service: service, key: key))
            // A handful of services and regions are in use at once; old days fall out.
            if entries.count > 16 { entries.removeFirst() }
        }
        return key
    }
}
