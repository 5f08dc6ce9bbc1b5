// CPU per signed DescribeTable round trip (sign, send, decode), measured with getrusage on this process only.
// Usage: aws-round-trip ENDPOINT [CALLS]. The endpoint should answer DescribeTable (moto, or a static responder).
import AWSCore
import AsyncHTTPClient
import DynamoDBControl
import Foundation
import NIOCore
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
let cpuBefore = cpuSeconds()
let wallBefore = ContinuousClock.now
for _ in 0..<calls { _ = try await client.describeTable(table) }
let cpu = cpuSeconds() - cpuBefore
let wall = ContinuousClock.now - wallBefore
let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
print(
    String(
        format:
            "DescribeTable round trips: %d sequential calls, CPU %.0f µs per call (goal < 150 µs), wall %.2f ms per call",
        calls,
        cpu / Double(calls) * 1e6,
        wallSeconds / Double(calls) * 1e3
    )
)
