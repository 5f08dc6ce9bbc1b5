public import AsyncHTTPClient
public import FoundationEssentials

/// The AWS CLI's provider chain with caching: the first configured provider wins, and temporary
/// credentials are fetched again before they expire.
public actor CredentialChain: CredentialProvider {
    /// Refresh this long before expiry.
    public static let refreshWindow: TimeInterval = 15 * 60

    private let providers: [any CredentialProvider]
    private let now: @Sendable () -> Date
    private var cached: AWSCredentials?
    /// The fetch under way: every caller that needs credentials meanwhile waits for this one (single flight),
    /// so 16 concurrent calls make one STS or instance-metadata request, not 16.
    private var fetching: Task<AWSCredentials?, any Error>?

    /// `chain` for messages.
    public nonisolated var name: String { "credential chain" }

    /// Creates a chain over `providers`, tried in order.
    public init(providers: [any CredentialProvider], now: @escaping @Sendable () -> Date = Date.init) {
        self.providers = providers
        self.now = now
    }

    /// The AWS CLI's chain: environment variables, an assume-role profile, web identity, the profile's keys
    /// or `credential_process`, container credentials, then EC2 instance metadata.
    public static func standard(environment: AWSEnvironment, http: HTTPClient = .shared) -> CredentialChain {
        CredentialChain(providers: [
            EnvironmentCredentialProvider(environment: environment),
            AssumeRoleCredentialProvider(environment: environment, http: http),
            WebIdentityCredentialProvider(environment: environment, http: http),
            ProfileCredentialProvider(environment: environment),
            ContainerCredentialProvider(environment: environment, http: http),
            InstanceMetadataCredentialProvider(environment: environment, http: http),
        ])
    }

    /// The cached credentials, or the first provider's that has some.
    public func resolve() async throws(AWSError) -> AWSCredentials? {
        if let cached, !cached.expires(within: Self.refreshWindow, of: now()) { return cached }
        let task: Task<AWSCredentials?, any Error>
        if let fetching {
            task = fetching
        } else {
            task = Task { () async throws -> AWSCredentials? in try await self.fetch() }
            fetching = task
        }
        do {
            let credentials = try await task.value
            if fetching == task { fetching = nil }
            return credentials
        } catch {
            if fetching == task { fetching = nil }
            throw error as? AWSError ?? AWSError.credentials("\(error)")
        }
    }

    /// Asks the providers in order.
    private func fetch() async throws(AWSError) -> AWSCredentials? {
        for provider in providers {
            do {
                if let credentials = try await provider.resolve() {
                    cached = credentials
                    return credentials
                }
            } catch {
                // A provider that is configured but failing: keep unexpired old credentials, else fail.
                if let cached, !cached.expires(within: 0, of: now()) { return cached }
                throw error
            }
        }
        throw AWSError.credentials(
            "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ~/.aws/credentials)"
        )
    }

    /// Forgets cached credentials, e.g. after the service refused them.
    public func invalidate() {
        cached = nil
    }

    /// Forgets `credentials` if they are still the cached ones; credentials fetched since are kept, so many
    /// callers told of one expiry cause one refresh.
    public func expired(_ credentials: AWSCredentials) async {
        if cached == credentials { cached = nil }
    }
}
