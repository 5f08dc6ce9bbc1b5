public import AsyncHTTPClient
import FoundationEssentials
import NIOHTTP1
import SystemSupport

/// ECS and EKS Pod Identity credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https, or a loopback or container-agent host only).
public struct ContainerCredentialProvider: CredentialProvider {
    let environment: AWSEnvironment
    let http: HTTPClient
    /// Always `container`.
    public var name: String { "container" }

    /// Creates a provider.
    public init(environment: AWSEnvironment, http: HTTPClient = .shared) {
        self.environment = environment
        self.http = http
    }

    static let allowedHosts: Set<String> = [
        "127.0.0.1", "localhost", "::1", "169.254.170.2", "169.254.170.23", "fd00:ec2::23",
    ]

    /// The endpoint's credentials, or nil when no container variable is set.
    public func resolve() async throws(AWSError) -> AWSCredentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = "http://169.254.170.2\(relative)"
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            guard let components = URLComponents(string: full), let host = components.host,
                components.scheme == "https"
                    || Self.allowedHosts.contains(
                        String(host.drop { $0 == "[" }.reversed().drop { $0 == "]" }.reversed())
                    )
            else {
                throw AWSError.credentials("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback address")
            }
            url = full
        } else {
            return nil
        }
        var headers = [("Accept", "application/json")]
        let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
        let token =
            tokenFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?
            .trimmingWhitespace() ?? environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        if let token {
            guard !token.contains("\r"), !token.contains("\n") else {
                throw AWSError.credentials("the container authorization token contains a line break")
            }
            headers.append(("Authorization", token))
        }
        let response = try await CredentialHTTP.send(.GET, url: url, headers: headers, timeout: .seconds(2), http: http)
        guard response.status == 200 else {
            throw AWSError.credentials("the container credentials endpoint answered HTTP \(response.status)")
        }
        return try CredentialHTTP.credentials(fromJSON: response.body, source: name)
    }
}

/// EC2 instance metadata (IMDSv2): a session token, then the role's credentials.
///
/// Skipped when `AWS_EC2_METADATA_DISABLED=true`; the endpoint can be moved with
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` (tests point it at loopback).
public struct InstanceMetadataCredentialProvider: CredentialProvider {
    let environment: AWSEnvironment
    let http: HTTPClient
    /// Always `instance metadata`.
    public var name: String { "instance metadata" }

    /// Creates a provider.
    public init(environment: AWSEnvironment, http: HTTPClient = .shared) {
        self.environment = environment
        self.http = http
    }

    /// The instance role's credentials, or nil when metadata is disabled or does not answer.
    public func resolve() async throws(AWSError) -> AWSCredentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254/"
        if !base.hasSuffix("/") { base += "/" }
        let timeout = Duration.seconds(Int(environment["AWS_METADATA_SERVICE_TIMEOUT"] ?? "") ?? 1)
        // Not on EC2 (nothing answers): not an error, just no credentials from here.
        guard
            let token = try? await CredentialHTTP.send(
                .PUT,
                url: base + "latest/api/token",
                headers: [("x-aws-ec2-metadata-token-ttl-seconds", "21600")],
                timeout: timeout,
                http: http
            ), token.status == 200
        else { return nil }
        let header = [("x-aws-ec2-metadata-token", token.body)]
        let path = base + "latest/meta-data/iam/security-credentials/"
        let role = try await CredentialHTTP.send(.GET, url: path, headers: header, timeout: timeout, http: http)
        guard role.status == 200, let name = role.body.split(separator: "\n").first else {
            throw AWSError.credentials("instance metadata has no IAM role (HTTP \(role.status))")
        }
        let credentials = try await CredentialHTTP.send(
            .GET,
            url: path + name,
            headers: header,
            timeout: timeout,
            http: http
        )
        guard credentials.status == 200 else {
            throw AWSError.credentials("instance metadata answered HTTP \(credentials.status) for role \(name)")
        }
        return try CredentialHTTP.credentials(fromJSON: credentials.body, source: "\(self.name) (role \(name))")
    }
}
