public import AsyncHTTPClient
import FoundationEssentials
import NIOHTTP1
import SystemSupport

/// The STS query API (version 2011-06-15) for the two calls credential resolution needs.
struct STSClient {
    let environment: AWSEnvironment
    let http: HTTPClient

    var region: String { environment.region() ?? "us-east-1" }

    /// `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the profile, then the regional endpoint.
    var endpoint: String {
        environment.endpoint(service: "sts")
            ?? AWSService(signingName: "sts", targetPrefix: "", contentType: "")
            .defaultEndpoint(region: region)
    }

    static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    /// AssumeRoleWithWebIdentity: unsigned, the token is the proof.
    func assumeRoleWithWebIdentity(
        roleArn: String,
        sessionName: String,
        token: String
    ) async throws(AWSError) -> AWSCredentials {
        let body = CredentialHTTP.form([
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
            ("RoleSessionName", sessionName), ("WebIdentityToken", token),
        ])
        let response = try await CredentialHTTP.send(
            .POST,
            url: endpoint,
            headers: [("Content-Type", Self.contentType)],
            body: body,
            timeout: .seconds(10),
            http: http
        )
        return try CredentialHTTP.credentials(fromSTS: response.body, source: "web identity (\(roleArn))")
    }

    /// AssumeRole, signed with the source credentials.
    func assumeRole(
        roleArn: String,
        sessionName: String,
        with source: AWSCredentials
    ) async throws(AWSError) -> AWSCredentials {
        let body = CredentialHTTP.form([
            ("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleArn), ("RoleSessionName", sessionName),
        ])
        guard let url = URL(string: endpoint), let host = url.host else {
            throw AWSError.credentials("the STS endpoint \(endpoint) is not a URL")
        }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        let signed = SigV4Signer(region: region, service: "sts").sign(
            host: hostHeader,
            headers: [("Content-Type", Self.contentType)],
            body: Array(body.utf8),
            credentials: source,
            date: Date()
        )
        let response = try await CredentialHTTP.send(
            .POST,
            url: endpoint,
            headers: [("Host", hostHeader)] + signed.headers.map { ($0.name, $0.value) },
            body: body,
            timeout: .seconds(10),
            http: http
        )
        return try CredentialHTTP.credentials(
            fromSTS: response.body,
            source: "assumed role \(roleArn) (from \(source.source))"
        )
    }
}

/// Web identity: `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` (or the profile's `web_identity_token_file` and
/// `role_arn`), exchanged with STS AssumeRoleWithWebIdentity. The token file is read again on every refresh.
public struct WebIdentityCredentialProvider: CredentialProvider {
    let environment: AWSEnvironment
    let http: HTTPClient
    /// Always `web identity`.
    public var name: String { "web identity" }

    /// Creates a provider.
    public init(environment: AWSEnvironment, http: HTTPClient = .shared) {
        self.environment = environment
        self.http = http
    }

    /// Credentials for the role, or nil when no web identity is configured.
    public func resolve() async throws(AWSError) -> AWSCredentials? {
        let profile = environment.profileConfig()
        guard let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? profile["web_identity_token_file"],
            let roleArn = environment["AWS_ROLE_ARN"] ?? profile["role_arn"]
        else { return nil }
        guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
            throw AWSError.credentials("the web identity token file \(tokenFile) cannot be read")
        }
        let session =
            environment["AWS_ROLE_SESSION_NAME"] ?? profile["role_session_name"]
            ?? "tablekeeper-\(Int(Date().timeIntervalSince1970))"
        return try await STSClient(environment: environment, http: http).assumeRoleWithWebIdentity(
            roleArn: roleArn,
            sessionName: session,
            token: token.trimmingWhitespace()
        )
    }
}

/// A profile with `role_arn` and `source_profile`: the source profile's keys assume the role through STS.
public struct AssumeRoleCredentialProvider: CredentialProvider {
    let environment: AWSEnvironment
    let http: HTTPClient
    /// `assume role (profile NAME)`.
    public var name: String { "assume role (profile \(environment.profileName))" }

    /// Creates a provider.
    public init(environment: AWSEnvironment, http: HTTPClient = .shared) {
        self.environment = environment
        self.http = http
    }

    /// Credentials for the role, or nil when the profile assumes none.
    public func resolve() async throws(AWSError) -> AWSCredentials? {
        let profile = environment.profileConfig()
        guard let roleArn = profile["role_arn"], let sourceProfile = profile["source_profile"] else { return nil }
        var sourceEnvironment = environment
        sourceEnvironment.variables["AWS_PROFILE"] = sourceProfile
        sourceEnvironment.variables["AWS_DEFAULT_PROFILE"] = nil
        guard let source = try await ProfileCredentialProvider(environment: sourceEnvironment).resolve() else {
            throw AWSError.credentials(
                "source_profile \(sourceProfile) of profile \(environment.profileName) has no keys"
            )
        }
        let session = profile["role_session_name"] ?? "tablekeeper-\(Int(Date().timeIntervalSince1970))"
        return try await STSClient(environment: environment, http: http).assumeRole(
            roleArn: roleArn,
            sessionName: session,
            with: source
        )
    }
}
