import AWSCore
import Foundation
import Synchronization
import TestSupport
import Testing

/// The AWS CLI's credential, region and endpoint resolution, with real files, variables and loopback servers.
@Suite("Credential chain")
struct CredentialChainTests {
    let folder = TemporaryDirectory()

    /// Variables that keep every test away from the machine's own files and from instance metadata.
    func environment(_ extra: [String: String]) -> AWSEnvironment {
        AWSEnvironment(
            variables: [
                "HOME": folder.path, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_SHARED_CREDENTIALS_FILE": folder.file("credentials"), "AWS_CONFIG_FILE": folder.file("config"),
            ].merging(extra) { $1 }
        )
    }

    func resolve(_ environment: AWSEnvironment) async throws -> AWSCredentials? {
        try await CredentialChain.standard(environment: environment).resolve()
    }

    @Test("environment variables win over a profile")
    func environmentFirst() async throws {
        try folder.write("credentials", "[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n")
        let credentials = try await resolve(
            environment([
                "AWS_PROFILE": "dev", "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e",
                "AWS_SESSION_TOKEN": "t",
            ])
        )
        #expect(credentials?.accessKeyID == "AKIDENV")
        #expect(credentials?.sessionToken == "t")
        #expect(credentials?.source == "environment")
    }

    @Test("a profile's keys come from the credentials file, then credential_process, then the config file")
    func profiles() async throws {
        try folder.write(
            "credentials",
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\naws_session_token = tok\n"
        )
        let script = try folder.write(
            "creds.sh",
            "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"p\", \"SessionToken\": \"pt\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n"
        )
        chmod(script, 0o755)
        try folder.write(
            "config",
            "[profile proc]\ncredential_process = \(script)\n[profile keys]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = c\n"
        )
        #expect(try await resolve(environment([:]))?.accessKeyID == "AKIDDEFAULT")
        let dev = try await resolve(environment(["AWS_PROFILE": "dev"]))
        #expect(dev?.accessKeyID == "AKIDDEV")
        #expect(dev?.sessionToken == "tok")
        let process = try await resolve(environment(["AWS_PROFILE": "proc"]))
        #expect(process?.accessKeyID == "AKIDPROCESS")
        #expect(process?.expiration != nil)
        #expect(try await resolve(environment(["AWS_PROFILE": "keys"]))?.source == "config file (profile keys)")
    }

    @Test("no credentials anywhere is a clear error")
    func none() async {
        do {
            _ = try await CredentialChain.standard(environment: environment([:])).resolve()
            Issue.record("credentials were found")
        } catch {
            #expect(error.message.contains("no AWS credentials found"))
        }
    }

    @Test("region and endpoint follow the documented order")
    func regionAndEndpoint() throws {
        try folder.write(
            "config",
            """
            [profile dev]
            region = ap-south-1
            endpoint_url = http://127.0.0.1:7001
            services = local
            [services local]
            dynamodb =
              endpoint_url = http://127.0.0.1:7002
            """
        )
        let profile = environment(["AWS_PROFILE": "dev"])
        #expect(profile.region() == "ap-south-1")
        #expect(profile.endpoint(service: "dynamodb") == "http://127.0.0.1:7002")
        #expect(profile.endpoint(service: "kms") == "http://127.0.0.1:7001")
        let variables = environment([
            "AWS_PROFILE": "dev", "AWS_DEFAULT_REGION": "eu-west-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:7003",
        ])
        #expect(variables.region() == "eu-west-2")
        #expect(variables.endpoint(service: "dynamodb") == "http://127.0.0.1:7003")
        let specific = environment([
            "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2",
            "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:7004", "AWS_ENDPOINT_URL": "http://127.0.0.1:7003",
        ])
        #expect(specific.region() == "eu-west-1")
        #expect(specific.endpoint(service: "dynamodb") == "http://127.0.0.1:7004")
    }

    @Test("container credentials are fetched with the authorization token")
    func container() async throws {
        let server = try await ScriptedServer(responses: [
            (
                200,
                #"{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"c","Token":"ct","Expiration":"2099-01-01T00:00:00Z"}"#
            )
        ])
        let tokenFile = try folder.write("token", "Bearer abc\n")
        let credentials = try await resolve(
            environment([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(server.port)/v2/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            ])
        )
        #expect(credentials?.accessKeyID == "ASIACONTAINER")
        #expect(credentials?.sessionToken == "ct")
        #expect(server.requests().first?.hasPrefix("GET /v2/credentials Bearer abc") == true)
    }

    @Test("a container URI on another host is refused")
    func containerHostChecked() async {
        await #expect(throws: AWSError.self) {
            try await resolve(environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://10.0.0.1/creds"]))
        }
    }

    @Test("instance metadata: a session token first, then the role, then its credentials")
    func instanceMetadata() async throws {
        let server = try await ScriptedServer(responses: [
            (200, "TOKEN-123"), (200, "reconciler-role"),
            (
                200,
                #"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"i","Token":"it","Expiration":"2099-01-01T00:00:00Z"}"#
            ),
        ])
        let credentials = try await resolve(
            environment([
                "AWS_EC2_METADATA_DISABLED": "false",
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(server.port)",
            ])
        )
        #expect(credentials?.accessKeyID == "ASIAIMDS")
        #expect(credentials?.source == "instance metadata (role reconciler-role)")
        let requests = server.requests()
        #expect(requests.count == 3)
        #expect(requests[0].hasPrefix("PUT /latest/api/token"))
        #expect(requests[1].hasPrefix("GET /latest/meta-data/iam/security-credentials/"))
        #expect(requests[1].hasSuffix("TOKEN-123"))
        #expect(requests[2].hasPrefix("GET /latest/meta-data/iam/security-credentials/reconciler-role"))
    }

    @Test("web identity and assume-role profiles get credentials from STS")
    func sts() async throws {
        let moto = try await MotoServer.shared()
        let tokenFile = try folder.write("web-token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln\n")
        let web = try await resolve(
            environment([
                "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/reconciler",
                "AWS_ROLE_SESSION_NAME": "test", "AWS_ENDPOINT_URL_STS": moto.endpoint, "AWS_REGION": "us-east-1",
            ])
        )
        #expect(web?.accessKeyID.hasPrefix("ASIA") == true)
        #expect(web?.sessionToken != nil)
        #expect(web?.expiration != nil)
        try folder.write("credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n")
        try folder.write(
            "config",
            "[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = base\nregion = us-east-1\n"
        )
        let assumed = try await resolve(environment(["AWS_PROFILE": "ops", "AWS_ENDPOINT_URL_STS": moto.endpoint]))
        #expect(assumed?.accessKeyID.hasPrefix("ASIA") == true)
        #expect(assumed?.source.contains("assumed role arn:aws:iam::123456789012:role/ops") == true)
    }

    @Test("temporary credentials are fetched again before they expire")
    func refresh() async throws {
        let provider = CountingProvider()
        let chain = CredentialChain(providers: [provider])
        _ = try await chain.resolve()
        _ = try await chain.resolve()
        #expect(provider.count == 2)  // expiring within the refresh window: fetched again
        let lasting = CountingProvider(lifetime: 3600)
        let lastingChain = CredentialChain(providers: [lasting])
        _ = try await lastingChain.resolve()
        _ = try await lastingChain.resolve()
        #expect(lasting.count == 1)
    }
}

/// Hands out credentials that expire after `lifetime` seconds, counting calls.
final class CountingProvider: CredentialProvider {
    let lifetime: TimeInterval
    private let calls = Mutex(0)
    var name: String { "counting" }
    var count: Int { calls.withLock { $0 } }

    init(lifetime: TimeInterval = 60) {
        self.lifetime = lifetime
    }

    func resolve() async throws(AWSError) -> AWSCredentials? {
        calls.withLock { $0 += 1 }
        return AWSCredentials(
            accessKeyID: "ASIACOUNT",
            secretAccessKey: "x",
            sessionToken: "t",
            expiration: Date().addingTimeInterval(lifetime),
            source: name
        )
    }
}

/// Hands out new temporary credentials on each fetch, slowly, and counts the fetches.
final class SlowFetchProvider: CredentialProvider {
    let fetches = Atomic<Int>(0)
    var name: String { "counting" }

    func resolve() async throws(AWSError) -> AWSCredentials? {
        let number = fetches.add(1, ordering: .relaxed).newValue
        try? await Task.sleep(for: .milliseconds(100))
        return AWSCredentials(
            accessKeyID: "ASIA\(number)",
            secretAccessKey: "secret-\(number)",
            sessionToken: "token-\(number)",
            expiration: Date().addingTimeInterval(3600),
            source: "counting"
        )
    }
}

@Suite("credential refresh")
struct CredentialRefreshTests {
    @Test("16 concurrent callers share one fetch, and one expiry told 16 times makes one refresh")
    func singleFlight() async throws {
        let provider = SlowFetchProvider()
        let chain = CredentialChain(providers: [provider])
        let first = try await withThrowingTaskGroup(of: AWSCredentials?.self) { group in
            for _ in 0..<16 { group.addTask { try await chain.resolve() } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1?.accessKeyID ?? "") }
        }
        #expect(first == ["ASIA1"])
        #expect(provider.fetches.load(ordering: .relaxed) == 1)
        let old = try #require(try await chain.resolve())
        let second = try await withThrowingTaskGroup(of: AWSCredentials?.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    await chain.expired(old)
                    return try await chain.resolve()
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1?.accessKeyID ?? "") }
        }
        #expect(second == ["ASIA2"])
        #expect(provider.fetches.load(ordering: .relaxed) == 2)
    }

    @Test("ExpiredTokenException: new credentials are fetched once and the call is signed again")
    func expiredTokenRefreshes() async throws {
        let expired =
            #"{"__type":"com.amazon.coral.service#ExpiredTokenException","message":"The security token included in the request is expired"}"#
        let server = try await ScriptedServer(responses: [(400, expired), (200, #"{"TableNames":[]}"#)])
        let provider = SlowFetchProvider()
        let client = AWSJSONClient(
            service: .dynamoDB,
            region: "us-east-1",
            endpoint: server.endpoint,
            credentials: CredentialChain(providers: [provider]),
            retry: RetryStrategy(maxAttempts: 4, transientBase: .milliseconds(1))
        )
        _ = try await client.send("ListTables", body: Array("{}".utf8))
        #expect(try server.requestCount() == 2)
        #expect(provider.fetches.load(ordering: .relaxed) == 2)
        // Refused again with new credentials: one refresh only, then the error.
        let stubborn = try await ScriptedServer(responses: [(400, expired)])
        let again = AWSJSONClient(
            service: .dynamoDB,
            region: "us-east-1",
            endpoint: stubborn.endpoint,
            credentials: CredentialChain(providers: [SlowFetchProvider()]),
            retry: RetryStrategy(maxAttempts: 4, transientBase: .milliseconds(1))
        )
        await #expect(throws: AWSError.self) { _ = try await again.send("UpdateTable", body: Array("{}".utf8)) }
        #expect(try stubborn.requestCount() == 2)
    }
}

@Suite("credential_process command lines")
struct CommandLineSplitterTests {
    @Test("split as botocore's shlex.split does, no shell involved")
    func split() {
        #expect(CommandLineSplitter.split("/opt/bin/creds --profile prod") == ["/opt/bin/creds", "--profile", "prod"])
        #expect(CommandLineSplitter.split(#"helper 'a b' "c \"d\"" e\ f"#) == ["helper", "a b", #"c "d""#, "e f"])
        #expect(
            CommandLineSplitter.split("helper $(id) `id` ; rm -rf /") == [
                "helper", "$(id)", "`id`", ";", "rm", "-rf", "/",
            ]
        )
        #expect(CommandLineSplitter.split("helper 'unterminated") == nil)
        #expect(CommandLineSplitter.split("   ") == [])
    }
}
