import FoundationEssentials
import Synchronization

/// AWS "standard" retry mode: full-jitter exponential backoff and a shared retry token bucket.
///
/// One instance is shared by every client of a process, so a failing endpoint cannot make all of
/// them retry at full rate.
public final class RetryStrategy: Sendable {
    /// Attempts per call, the first included.
    public let maxAttempts: Int
    /// Base delay for throttling errors.
    public let throttlingBase: Duration
    /// Base delay for transient errors.
    public let transientBase: Duration
    /// Longest delay between attempts.
    public let maximumDelay: Duration

    private let tokens: Mutex<Int>
    private let capacity: Int

    /// Creates a strategy; defaults follow botocore's standard mode for DynamoDB.
    public init(
        maxAttempts: Int = 4,
        throttlingBase: Duration = .seconds(1),
        transientBase: Duration = .milliseconds(25),
        maximumDelay: Duration = .seconds(20),
        bucketCapacity: Int = 500
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.throttlingBase = throttlingBase
        self.transientBase = transientBase
        self.maximumDelay = maximumDelay
        self.capacity = bucketCapacity
        self.tokens = Mutex(bucketCapacity)
    }

    /// The cost in tokens of retrying after `error`.
    static func cost(of error: AWSError) -> Int {
        error.kind == .throttling ? 5 : (error.code == "Timeout" ? 10 : 14)
    }

    /// Takes tokens for one retry; false when the bucket is empty and the call must fail now.
    public func acquireRetry(after error: AWSError) -> Bool {
        let cost = Self.cost(of: error)
        return tokens.withLock { available in
            guard available >= cost else { return false }
            available -= cost
            return true
        }
    }

    /// Refunds after success: what retries took, or one token for a first-attempt success.
    public func recordSuccess(retryCostTaken: Int) {
        tokens.withLock { available in
            available = min(capacity, available + max(1, retryCostTaken))
        }
    }

    /// Tokens left, for metrics and tests.
    public var availableTokens: Int {
        tokens.withLock { $0 }
    }

    /// The delay before retry number `retry` (1 for the first retry): random in [0, min(base·2^(retry-1), max)).
    public func delay(beforeRetry retry: Int, after error: AWSError) -> Duration {
        let base = error.kind == .throttling ? throttlingBase : transientBase
        let ceiling = min(base * (1 << min(retry - 1, 20)), maximumDelay)
        let seconds = Double(ceiling.components.seconds) + Double(ceiling.components.attoseconds) / 1e18
        return .milliseconds(Int(Double.random(in: 0..<1) * seconds * 1000))
    }
}
