import Testing

@testable import AWSCore

@Suite("rate limiter")
struct RateLimiterTests {
    @Test("an operation's own rate and the overall rate both hold; other regions have buckets of their own")
    func buckets() {
        let limiter = RateLimiter(maxRequestsPerSecond: 50, rates: ["ListTagsOfResource": 8])
        let start = ContinuousClock.now
        // One token of burst, then each further call reserves the next eighth of a second.
        #expect(limiter.take(operation: "ListTagsOfResource", region: "us-east-1", now: start) == nil)
        let first = limiter.take(operation: "ListTagsOfResource", region: "us-east-1", now: start)
        #expect(first.map { $0 > .milliseconds(120) && $0 <= .milliseconds(125) } == true)
        let later = start + .milliseconds(10)
        let second = limiter.take(operation: "ListTagsOfResource", region: "eu-west-1", now: later)
        #expect(second == nil)
        // Another region, and an operation with no rate of its own, are not held by that bucket.
        #expect(limiter.take(operation: "ListTagsOfResource", region: "ap-south-1", now: start) == nil)
        for _ in 0..<40 { #expect(limiter.take(operation: "DescribeTable", region: "us-east-1", now: later) == nil) }
        // Reservations queue: the third call in the first instant waits two eighths of a second.
        let third = limiter.take(operation: "ListTagsOfResource", region: "us-east-1", now: later)
        #expect(
            third.map { $0 > .milliseconds(220) && $0 <= .milliseconds(240) } == true,
            "\(String(describing: third))"
        )
        // The overall bucket holds every operation of a region.
        let overall = RateLimiter(maxRequestsPerSecond: 10)
        for _ in 0..<10 { #expect(overall.take(operation: "DescribeTable", region: "us-east-1", now: start) == nil) }
        #expect(overall.take(operation: "DescribeTimeToLive", region: "us-east-1", now: start) != nil)
        #expect(overall.take(operation: "DescribeTable", region: "eu-west-1", now: start) == nil)
    }

    @Test("paced calls are sent on a grid, so those due within one step wake and go together, never early")
    func batching() {
        let limiter = RateLimiter(maxRequestsPerSecond: 50, batching: .milliseconds(500))
        let origin = limiter.origin
        #expect(limiter.aligned(origin + .milliseconds(10)) == origin + .milliseconds(500))
        #expect(limiter.aligned(origin + .milliseconds(499)) == origin + .milliseconds(500))
        #expect(limiter.aligned(origin + .milliseconds(500)) == origin + .milliseconds(500))
        #expect(limiter.aligned(origin + .milliseconds(501)) == origin + .milliseconds(1000))
        let unbatched = RateLimiter(maxRequestsPerSecond: 50, batching: .zero)
        #expect(unbatched.aligned(unbatched.origin + .milliseconds(10)) == unbatched.origin + .milliseconds(10))
    }

    @Test("acquire waits for the token instead of failing")
    func acquireWaits() async throws {
        let limiter = RateLimiter(maxRequestsPerSecond: 1000, rates: ["TagResource": 4])
        let started = ContinuousClock.now
        for _ in 0..<3 { try await limiter.acquire(operation: "TagResource", region: "us-east-1") }
        // One at once, then two more at 4 a second: at least half a second.
        #expect(ContinuousClock.now - started >= .milliseconds(450))
    }
}
