// CPU per signed DescribeTable round trip (sign, send, decode), measured with getrusage on this process only.
// Usage: aws-round-trip ENDPOINT [CALLS]. The endpoint should answer DescribeTable (moto, or a static responder).
import AWSCore
import AsyncHTTPClient
import DynamoDBControl
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let endpoint = URL(string: arguments[1]) else {
    print("usage: aws-round-trip ENDPOINT [CALLS] [TABLE]")
    exit(2)
}
let calls = arguments.count > 2 ? Int(arguments[2]) ?? 2000 : 2000
let table = arguments.count > 3 ? arguments[3] : "bench-0000"
let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup(numberOfThreads: 1))
let client = DynamoDBClient(
    client: AWSJSONClient(
        service: .dynamoDB,
        region: "us-east-1",
        endpoint: endpoint,
        credentials: StaticCredentialProvider(
            AWSCredentials(accessKeyID: "AKIDBENCH", secretAccessKey: "b", source: "bench")
        ),
        retry: RetryStrategy(),
        http: http
    )
)
// Warm up connections, caches and the signing key.
for _ in 0..<50 { _ = try await client.describeTable(table) }
/// CPU and wall seconds of `calls` sequential runs of `body`.
func measure(_ body: () async throws -> Void) async rethrows -> (cpu: Double, wall: Double) {
    let cpuBefore = cpuSeconds()
    let wallBefore = ContinuousClock.now
    for _ in 0..<calls { try await body() }
    let wall = ContinuousClock.now - wallBefore
    return (cpuSeconds() - cpuBefore, Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18)
}

let full = try await measure { _ = try await client.describeTable(table) }
print(
    String(
        format:
            "DescribeTable round trips: %d sequential calls, CPU %.0f µs per call (goal < 150 µs), wall %.2f ms per call",
        calls,
        full.cpu / Double(calls) * 1e6,
        full.wall / Double(calls) * 1e3
    )
)

// The floor under that figure: the same POST through the same AsyncHTTPClient, with fixed headers and body, no
// signing and no decoding.
var headers = HTTPHeaders()
headers.add(name: "Content-Type", value: "application/x-amz-json-1.0")
headers.add(name: "X-Amz-Target", value: "DynamoDB_20120810.DescribeTable")
let body = Array(#"{"TableName":"\#(table)"}"#.utf8)
let request = try HTTPClient.Request(url: endpoint.absoluteString, method: .POST, headers: headers, body: .bytes(body))
for _ in 0..<50 { _ = try await http.execute(request: request).get() }
let transport = try await measure { _ = try await http.execute(request: request).get() }
print(
    String(
        format: "  of which AsyncHTTPClient alone (same request, unsigned, body not decoded): CPU %.0f µs per call",
        transport.cpu / Double(calls) * 1e6
    )
)
