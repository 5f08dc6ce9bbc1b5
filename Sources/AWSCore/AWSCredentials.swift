public import FoundationEssentials

/// A set of AWS credentials and where they came from.
///
/// `description` never shows the secret key or the session token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    /// The access key id (not secret; shown in logs to say which key was used).
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials.
    public var sessionToken: String?
    /// When temporary credentials expire.
    public var expiration: Date?
    /// The provider that produced them, e.g. `environment` or `shared-credentials-file (profile dev)`.
    public var source: String

    /// Creates credentials.
    public init(
        accessKeyID: String,
        secretAccessKey: String,
        sessionToken: String? = nil,
        expiration: Date? = nil,
        source: String
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// The access key id and the source, nothing secret.
    public var description: String {
        "\(accessKeyID) from \(source)"
    }

    /// Whether they expire within `interval` of `now`.
    public func expires(within interval: TimeInterval, of now: Date) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) < interval
    }
}
