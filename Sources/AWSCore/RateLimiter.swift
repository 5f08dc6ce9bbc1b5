import Synchronization
import SystemSupport

/// Client-side pacing under AWS's documented rates: a token bucket per region and operation class (one token of
/// burst), plus one for every request of a region (a second of burst). A caller that would exceed a rate waits for its token instead of being throttled,
/// so a cycle over many tables takes longer and never spends the account's budget on refused calls.
public final class RateLimiter: Sendable {
    /// Requests per second by operation, under DynamoDB's per-account rates (10/s for ListTagsOfResource and
    /// DescribeContinuousBackups, 5/s for TagResource and UntagResource), with room for other clients.
    public static let operationRates: [String: Double] = [
        "ListTagsOfResource": 8, "DescribeContinuousBackups": 8, "TagResource": 4, "UntagResource": 4,
    ]

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let overall: Double
    private let rates: [String: Double]
    private let batching: Duration
    let origin = ContinuousClock.now
    private let buckets = Mutex<[String: Bucket]>([:])

    /// A limiter with `maxRequestsPerSecond` over every request of a region, and `rates` per operation; paced calls
    /// are sent on a grid of `batching` steps.
    public init(
        maxRequestsPerSecond: Double,
        rates: [String: Double] = RateLimiter.operationRates,
        batching: Duration = .milliseconds(500)
    ) {
        self.overall = maxRequestsPerSecond
        self.rates = rates
        self.batching = batching
    }

    /// Waits until `operation` may be sent in `region`. The token is reserved at once and the caller sleeps once,
    /// until the first instant of the `batching` grid at or after it is due: many callers waiting on one bucket never
    /// wake together to race for a token, and those due within one step of the grid wake and send together, which
    /// costs far less CPU than a wake-up per request (a call is only ever sent later than its token, never earlier).
    public func acquire(operation: String, region: String) async throws(CancellationError) {
        let now = ContinuousClock.now
        guard let wait = take(operation: operation, region: region, now: now) else { return }
        do {
            try await Task.sleep(until: aligned(now + wait), tolerance: .zero)
        } catch {
            throw CancellationError()
        }
    }

    /// The first instant of the batching grid at or after `due`.
    func aligned(_ due: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let step = batching.inNanoseconds
        guard step > 0 else { return due }
        let offset = (due - origin).inNanoseconds
        return origin + .nanoseconds((offset + step - 1) / step * step)
    }

    /// Reserves a token in each bucket the call needs (a bucket may go below zero: reservations queue up) and
    /// says how long to wait until the last of them is due; nil when they are all available now.
    func take(operation: String, region: String, now: ContinuousClock.Instant) -> Duration? {
        let keys = ["\(region) *"] + (rates[operation] == nil ? [] : ["\(region) \(operation)"])
        return buckets.withLock { buckets in
            var longest: Duration = .zero
            for key in keys {
                let isOverall = key.hasSuffix(" *")
                let rate = isOverall ? overall : rates[operation]!
                // An operation's bucket holds one token: with paced calls sent on the grid, no window of one second
                // ever holds more than rate + 1 of them (9 for DynamoDB's 10/s), whatever the window's start.
                let capacity = isOverall ? rate : 1
                var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
                let elapsed = max(0, Double((now - bucket.updated).inNanoseconds) / 1e9)
                bucket.tokens = min(capacity, bucket.tokens + elapsed * rate) - 1
                bucket.updated = max(now, bucket.updated)
                if bucket.tokens < 0 {
                    longest = max(longest, .nanoseconds(Int64(-bucket.tokens / rate * 1e9)))
                }
                buckets[key] = bucket
            }
            return longest == .zero ? nil : longest
        }
    }
}

/// Counts the requests and throttling answers of each operation, for the cycle record and the metrics.
public final class RequestTally: AWSRequestObserver {
    private struct Counts {
        var requests: [String: Int] = [:]
        var throttled = 0
    }

    private let counts = Mutex(Counts())
    private let next: (any AWSRequestObserver)?

    /// A tally that also passes every attempt on to `next`.
    public init(next: (any AWSRequestObserver)? = nil) {
        self.next = next
    }

    public func requestFinished(service: String, operation: String, errorCode: String?) {
        counts.withLock { counts in
            counts.requests[operation, default: 0] += 1
            if let errorCode, AWSError.isThrottlingCode(errorCode) { counts.throttled += 1 }
        }
        next?.requestFinished(service: service, operation: operation, errorCode: errorCode)
    }

    /// The counts since the last call, which starts a new count.
    public func take() -> (requests: [String: Int], throttled: Int) {
        counts.withLock { counts in
            defer { counts = Counts() }
            return (counts.requests, counts.throttled)
        }
    }
}
