/// A failed AWS call: the operation, the service's error code and message, and what kind of failure it is.
///
/// Messages never contain credentials, tokens or signatures.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How a caller should treat a failure.
    public enum Kind: String, Sendable, Equatable {
        /// Throttled by the service; retried with throttle backoff.
        case throttling
        /// A 5xx, a connection failure or a timeout; retried.
        case transient
        /// A state conflict such as `ResourceInUseException`: not retried blindly; re-plan later.
        case stateConflict
        /// The resource does not exist.
        case notFound
        /// A concurrency limit (`LimitExceededException` about simultaneous operations); retry in minutes.
        case concurrencyLimit
        /// A rate window (encryption, billing, throughput or TTL changes per day/hour): blocked until a time.
        case rateWindow
        /// A hard quota (`LimitExceededException` about a count: tables, indexes, tags): fails until raised.
        case quota
        /// The credentials were refused or missing.
        case authentication
        /// Permission denied.
        case accessDenied
        /// The request was invalid.
        case validation
        /// A state-changing call a leader's fence kept back (its lease could not be vouched for): never sent.
        case fenced
        /// Anything else.
        case other
    }

    /// The operation, e.g. `DescribeTable`.
    public var operation: String
    /// The service error code (`ResourceNotFoundException`), or `HTTP 503`, or a client-side code.
    public var code: String
    /// The service's message.
    public var message: String
    /// The HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// The classification.
    public var kind: Kind
    /// The request id the service returned, for support cases.
    public var requestID: String?

    /// Creates an error.
    public init(
        operation: String,
        code: String,
        message: String,
        httpStatus: Int? = nil,
        kind: Kind,
        requestID: String? = nil
    ) {
        self.operation = operation
        self.code = code
        self.message = String(message.prefix(500))
        self.httpStatus = httpStatus
        self.kind = kind
        self.requestID = requestID
    }

    /// Whether the client's retry loop may try again.
    public var isRetryable: Bool {
        kind == .throttling || kind == .transient
    }

    /// One line: `DescribeTable: ResourceNotFoundException: Requested resource not found`.
    public var description: String {
        message.isEmpty ? "\(operation): \(code)" : "\(operation): \(code): \(message)"
    }
}

extension AWSError {
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "RequestThrottled", "SlowDown", "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalServerError",
        "InternalFailure", "ServiceUnavailable", "KMSInternalException", "DependencyTimeoutException",
    ]
    static let authenticationCodes: Set<String> = [
        "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
        "IncompleteSignatureException", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
        "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "AuthFailure",
    ]

    /// Classifies a service error as the reference's table says.
    public static func classify(code: String, message: String, httpStatus: Int) -> Kind {
        if throttlingCodes.contains(code) || httpStatus == 429 { return .throttling }
        if transientCodes.contains(code) || (500...599).contains(httpStatus) { return .transient }
        switch code {
        // ContinuousBackupsUnavailableException is normal right after CreateTable: wait, do not fail.
        case "ResourceInUseException", "ContinuousBackupsUnavailableException": return .stateConflict
        case "ResourceNotFoundException", "ResourceNotFound", "TableNotFoundException", "NotFoundException":
            return .notFound
        case "LimitExceededException":
            if isRateWindow(message) { return .rateWindow }
            return isConcurrencyLimit(message) ? .concurrencyLimit : .quota
        case "AccessDeniedException", "AccessDenied": return .accessDenied
        case "ValidationException", "InvalidParameterValue", "SerializationException":
            // UpdateTimeToLive within an hour of the last change is a rate window, not a bad request: AWS says
            // "Time to live has been modified multiple times within a fixed interval".
            let lowered = message.lowercased()
            return lowered.contains("time to live") && (lowered.contains("fixed interval") || lowered.contains("hour"))
                ? .rateWindow : .validation
        default:
            return authenticationCodes.contains(code) ? .authentication : .other
        }
    }

    /// Whether a `LimitExceededException` message speaks of operations running at once ("Only 1 online index can
    /// be created or deleted simultaneously", "… tables can be created, updated, or deleted simultaneously",
    /// tables and indexes in the CREATING, UPDATING or DELETING state): wait, it clears by itself.
    static func isConcurrencyLimit(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return lowered.contains("simultaneously") || lowered.contains("creating, updating")
            || lowered.contains("creating, deleting") || lowered.contains("at a time")
    }

    /// Whether a `LimitExceededException` message speaks of a per-day or per-hour window.
    static func isRateWindow(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return ["window", "once in", "per day", "day(s)", "decreases", "encryption mode changes", "table class"]
            .contains { lowered.contains($0) }
    }
}
