import AWSCore
import Testing

@Suite("rate limiter")
struct RateLimiterTests {
    @Test("an operation's own rate and the overall rate both hold; other regions have buckets of their own")
    func buckets() async throws {
        let limiter = RateLimiter(maxRequestsPerSecond: 50, rates: ["ListTagsOfResource": 8])
        let started = ContinuousClock.now
        // 8 at once (the burst), then 8 a second: 24 calls take about two seconds.
        for _ in 0..<24 { try await limiter.acquire(operation: "ListTagsOfResource", region: "us-east-1") }
        let tags = ContinuousClock.now - started
        #expect(tags >= .milliseconds(1900) && tags < .seconds(4), "\(tags)")
        // Another region is not slowed by the first; an operation without a rate of its own only by the overall one.
        let other = ContinuousClock.now
        for _ in 0..<8 { try await limiter.acquire(operation: "ListTagsOfResource", region: "eu-west-1") }
        for _ in 0..<40 { try await limiter.acquire(operation: "DescribeTable", region: "eu-west-1") }
        #expect(ContinuousClock.now - other < .milliseconds(500))
    }
}
