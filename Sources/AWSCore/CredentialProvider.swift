import FoundationEssentials
import UTCTime

/// Something that can produce AWS credentials.
public protocol CredentialProvider: Sendable {
    /// A name for messages, e.g. `environment`.
    var name: String { get }
    /// The credentials, nil when this provider is not configured, or an error when it is but fails.
    func resolve() async throws(AWSError) -> AWSCredentials?
    /// Forgets `credentials` because the service said they expired, so the next `resolve` fetches new ones.
    func expired(_ credentials: AWSCredentials) async
}

extension CredentialProvider {
    /// Providers that hold nothing have nothing to forget.
    public func expired(_ credentials: AWSCredentials) async {}
}

/// Fixed credentials (tests, benchmarks).
public struct StaticCredentialProvider: CredentialProvider {
    /// The credentials returned.
    public var credentials: AWSCredentials
    /// Always `static`.
    public var name: String { "static" }

    /// Creates a provider that always returns `credentials`.
    public init(_ credentials: AWSCredentials) {
        self.credentials = credentials
    }

    /// Returns the credentials.
    public func resolve() async throws(AWSError) -> AWSCredentials? {
        credentials
    }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN` / `AWS_CREDENTIAL_EXPIRATION`.
public struct EnvironmentCredentialProvider: CredentialProvider {
    let environment: AWSEnvironment
    /// Always `environment`.
    public var name: String { "environment" }

    /// Creates a provider over `environment`.
    public init(environment: AWSEnvironment) {
        self.environment = environment
    }

    /// The credentials from the variables, or nil when they are not set.
    public func resolve() async throws(AWSError) -> AWSCredentials? {
        guard let key = environment["AWS_ACCESS_KEY_ID"] else { return nil }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"] else {
            throw AWSError.credentials("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
        let expiration = environment["AWS_CREDENTIAL_EXPIRATION"].flatMap(UTCTime.parse)
        return AWSCredentials(
            accessKeyID: key,
            secretAccessKey: secret,
            sessionToken: environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"],
            expiration: expiration,
            source: name
        )
    }
}

/// Static keys or `credential_process` of the selected profile in the shared credentials and config files.
public struct ProfileCredentialProvider: CredentialProvider {
    let environment: AWSEnvironment
    /// `shared files (profile NAME)`.
    public var name: String { "shared files (profile \(environment.profileName))" }

    /// Creates a provider over `environment`.
    public init(environment: AWSEnvironment) {
        self.environment = environment
    }

    /// The profile's credentials, or nil when the profile has none of the kinds this provider reads.
    public func resolve() async throws(AWSError) -> AWSCredentials? {
        let profile = environment.profileName
        let credentialsFile = SharedINIFile.load(path: environment.credentialsFilePath)
        if let section = credentialsFile.sections[profile], let key = section["aws_access_key_id"] {
            guard let secret = section["aws_secret_access_key"] else {
                throw AWSError.credentials("profile \(profile) in \(environment.credentialsFilePath) has no secret key")
            }
            return AWSCredentials(
                accessKeyID: key,
                secretAccessKey: secret,
                sessionToken: section["aws_session_token"],
                source: "shared credentials file (profile \(profile))"
            )
        }
        let config = environment.profileConfig()
        if let command = config["credential_process"] {
            return try await CredentialProcess.run(command, profile: profile)
        }
        if let key = config["aws_access_key_id"], let secret = config["aws_secret_access_key"] {
            return AWSCredentials(
                accessKeyID: key,
                secretAccessKey: secret,
                sessionToken: config["aws_session_token"],
                source: "config file (profile \(profile))"
            )
        }
        return nil
    }
}

extension AWSError {
    /// A credential-resolution failure.
    static func credentials(_ message: String) -> AWSError {
        AWSError(operation: "ResolveCredentials", code: "CredentialsError", message: message, kind: .authentication)
    }
}
