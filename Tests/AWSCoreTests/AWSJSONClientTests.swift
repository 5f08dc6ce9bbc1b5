import AWSCore
import DynamoDBControl
import Foundation
import Testing

@Suite("AWS JSON client retries and errors")
struct AWSJSONClientTests {
    let credentials = StaticCredentialProvider(
        AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret", source: "test")
    )

    func client(_ server: ScriptedServer, retry: RetryStrategy) -> AWSJSONClient {
        AWSJSONClient(
            service: .dynamoDB,
            region: "us-east-1",
            endpoint: server.endpoint,
            credentials: credentials,
            retry: retry,
            timeout: .seconds(5)
        )
    }

    static func fast() -> RetryStrategy {
        RetryStrategy(maxAttempts: 4, throttlingBase: .milliseconds(5), transientBase: .milliseconds(5))
    }

    @Test("throttling and 500s are retried until the call succeeds")
    func retriesTransientFailures() async throws {
        let server = try await ScriptedServer(responses: [
            (400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}"#),
            (500, #"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"}"#),
            (503, "<html>unavailable</html>"),
            (200, #"{"TableNames":["a"]}"#),
        ])
        let retry = Self.fast()
        let body = try await client(server, retry: retry).send("ListTables", body: Array("{}".utf8))
        #expect(String(decoding: body, as: UTF8.self) == #"{"TableNames":["a"]}"#)
        #expect(try server.requestCount() == 4)
        // A success after retries refunds what the retries took.
        #expect(retry.availableTokens == 500)
    }

    @Test("the attempt limit ends retries with the last error, classified")
    func attemptLimit() async throws {
        let server = try await ScriptedServer(responses: [
            (500, #"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"down"}"#)
        ])
        do {
            _ = try await client(server, retry: Self.fast()).send("DescribeTable", body: Array("{}".utf8))
            Issue.record("no error")
        } catch {
            #expect(error.kind == .transient)
            #expect(error.code == "InternalServerError")
            #expect(error.description == "DescribeTable: InternalServerError: down")
        }
        #expect(try server.requestCount() == 4)
    }

    @Test(
        "state conflicts and rate windows are returned at once, never retried",
        arguments: [
            (
                #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException","message":"busy"}"#,
                AWSError.Kind.stateConflict
            ),
            (
                #"{"__type":"com.amazonaws.dynamodb.v20120810#LimitExceededException","message":"Subscriber limit exceeded: Encryption mode changes are limited in the 24h window ending at 2022-08-20T08:42:25.398Z."}"#,
                .rateWindow
            ),
            (
                #"{"__type":"com.amazonaws.dynamodb.v20120810#LimitExceededException","message":"Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"}"#,
                .concurrencyLimit
            ),
            (#"{"__type":"com.amazon.coral.validate#ValidationException","Message":"bad"}"#, .validation),
            (
                #"{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token is invalid"}"#,
                .authentication
            ),
        ]
    )
    func notRetried(body: String, kind: AWSError.Kind) async throws {
        let server = try await ScriptedServer(responses: [(400, body)])
        do {
            _ = try await client(server, retry: Self.fast()).send("UpdateTable", body: Array("{}".utf8))
            Issue.record("no error")
        } catch {
            #expect(error.kind == kind)
            #expect(!error.message.isEmpty)
        }
        #expect(try server.requestCount() == 1)
    }

    @Test(
        "a call that changes state is not sent again after a 5xx, only after throttling",
        arguments: ["CreateTable", "UpdateTable", "UpdateTimeToLive", "UpdateContinuousBackups", "TagResource"]
    )
    func mutatingNotRetriedAfter5xx(operation: String) async throws {
        let server = try await ScriptedServer(responses: [
            (500, #"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"}"#)
        ])
        do {
            _ = try await client(server, retry: Self.fast()).send(operation, body: Array("{}".utf8))
            Issue.record("no error")
        } catch {
            #expect(error.kind == .transient)
            #expect(error.message.contains("not retried: the change may have been made"))
        }
        #expect(try server.requestCount() == 1)
        let throttled = try await ScriptedServer(responses: [
            (400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}"#),
            (200, "{}"),
        ])
        _ = try await client(throttled, retry: Self.fast()).send(operation, body: Array("{}".utf8))
        #expect(try throttled.requestCount() == 2)
    }

    @Test("a read is retried after a 5xx")
    func readsRetried() async throws {
        let server = try await ScriptedServer(responses: [
            (500, #"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"}"#),
            (200, #"{"Table":{"TableName":"orders"}}"#),
        ])
        _ = try await client(server, retry: Self.fast()).send("DescribeTable", body: Array("{}".utf8))
        #expect(try server.requestCount() == 2)
    }

    @Test("a DescribeTable answer without Table is an error, never an absent table")
    func describeWithoutTable() async throws {
        let server = try await ScriptedServer(responses: [(200, "{}")])
        let dynamo = DynamoDBClient(client: client(server, retry: Self.fast()))
        do {
            let table = try await dynamo.describeTable("orders")
            Issue.record("answered \(String(describing: table))")
        } catch {
            #expect(error.code == "MalformedResponse")
            #expect(error.message.contains("no Table member"))
        }
    }

    @Test("an empty retry bucket stops retries")
    func emptyBucket() async throws {
        let server = try await ScriptedServer(responses: [(500, "{}")])
        let retry = RetryStrategy(maxAttempts: 10, transientBase: .milliseconds(1), bucketCapacity: 20)
        await #expect(throws: AWSError.self) {
            _ = try await client(server, retry: retry).send("ListTables", body: Array("{}".utf8))
        }
        // 20 tokens pay for one transient retry (14 each): two attempts in all.
        #expect(try server.requestCount() == 2)
    }

    @Test("a refused connection is a transient error naming the endpoint")
    func connectionRefused() async throws {
        let port = try freeLoopbackPort()
        let client = AWSJSONClient(
            service: .dynamoDB,
            region: "us-east-1",
            endpoint: URL(string: "http://127.0.0.1:\(port)")!,
            credentials: credentials,
            retry: RetryStrategy(maxAttempts: 2, transientBase: .milliseconds(1)),
            timeout: .seconds(2)
        )
        do {
            _ = try await client.send("ListTables", body: Array("{}".utf8))
            Issue.record("no error")
        } catch {
            #expect(error.kind == .transient)
            #expect(error.message.contains("127.0.0.1"))
        }
    }
}

func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A fence that refuses until it is opened.
final class TestFence: MutationFence {
    let callDeadline: Duration = .seconds(1)
    let open: Bool
    init(open: Bool) { self.open = open }
    func refusal() -> String? { open ? nil : "this daemon is not the leader" }
}

@Suite("AWS JSON client under a leader's fence")
struct FencedClientTests {
    func client(_ server: ScriptedServer, fence: TestFence) -> AWSJSONClient {
        AWSJSONClient(
            service: .dynamoDB,
            region: "us-east-1",
            endpoint: server.endpoint,
            credentials: StaticCredentialProvider(
                AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret", source: "test")
            ),
            retry: AWSJSONClientTests.fast(),
            fence: fence
        )
    }

    @Test("a state-changing call the fence refuses is never sent; reads and allowed changes go")
    func fenced() async throws {
        let server = try await ScriptedServer(responses: [(200, "{}"), (200, "{}")])
        let closed = client(server, fence: TestFence(open: false))
        do {
            _ = try await closed.send("UpdateTable", body: Array("{}".utf8))
            Issue.record("sent")
        } catch {
            #expect(error.code == AWSError.notLeaderCode)
            #expect(error.message.hasPrefix("not sent: this daemon is not the leader"))
        }
        #expect(try server.requestCount() == 0)
        _ = try await closed.send("DescribeTable", body: Array("{}".utf8))
        _ = try await client(server, fence: TestFence(open: true)).send("UpdateTable", body: Array("{}".utf8))
        #expect(try server.requestCount() == 2)
    }
}
