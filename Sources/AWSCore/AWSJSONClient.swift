public import AsyncHTTPClient
public import FoundationEssentials
public import Logging
import NIOCore
import NIOHTTP1
import SystemSupport

/// A client for one AWS JSON-protocol service in one region: signs every attempt, retries throttling and
/// transient failures (standard mode), and turns error responses into classified `AWSError`s.
public struct AWSJSONClient: Sendable {
    /// The service.
    public let service: AWSService
    /// The signing region.
    public let region: String
    /// The endpoint URL (scheme, host and optional port).
    public let endpoint: URL
    let credentials: any CredentialProvider
    let retry: RetryStrategy
    let http: HTTPClient
    let timeout: Duration
    let logger: Logger
    let observer: (any AWSRequestObserver)?
    let limiter: RateLimiter?
    let fence: (any MutationFence)?
    let now: @Sendable () -> Date

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - endpoint: the endpoint URL; must be http or https.
    ///   - http: the shared HTTP client (one connection pool per process).
    ///   - timeout: the deadline of each attempt.
    public init(
        service: AWSService,
        region: String,
        endpoint: URL,
        credentials: any CredentialProvider,
        retry: RetryStrategy,
        http: HTTPClient = .shared,
        timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "tablekeeper.aws"),
        observer: (any AWSRequestObserver)? = nil,
        limiter: RateLimiter? = nil,
        fence: (any MutationFence)? = nil,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.retry = retry
        self.http = http
        self.timeout = timeout
        self.logger = logger
        self.observer = observer
        self.limiter = limiter
        self.fence = fence
        self.now = now
    }

    var hostHeader: String {
        let host = endpoint.host ?? "localhost"
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port = endpoint.port else { return bracketed }
        let isDefault = (endpoint.scheme == "https" && port == 443) || (endpoint.scheme == "http" && port == 80)
        return isDefault ? bracketed : "\(bracketed):\(port)"
    }

    /// Encodes `input`, calls `operation` and decodes the response.
    public func call<Input: Encodable, Output: Decodable>(
        _ operation: String,
        _ input: Input,
        as output: Output.Type = Output.self
    ) async throws(AWSError) -> Output {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(input))
        } catch {
            throw AWSError(operation: operation, code: "EncodingError", message: "\(error)", kind: .other)
        }
        let response = try await send(operation, body: body)
        do {
            let data = response.isEmpty ? Data("{}".utf8) : Data(response)
            return try JSONDecoder().decode(Output.self, from: data)
        } catch {
            throw AWSError(
                operation: operation,
                code: "DecodingError",
                message: "the response could not be decoded: \(error)",
                kind: .other
            )
        }
    }

    /// Whether `operation` changes state, so that a timeout or a 5xx leaves it unknown whether it took effect.
    /// Such calls are retried only after throttling (which AWS answers before acting), never after a 5xx.
    public static func changesState(_ operation: String) -> Bool {
        let reads = ["Describe", "List", "Get", "Query", "Scan", "BatchGet", "TransactGet"]
        return !reads.contains { operation.hasPrefix($0) }
    }

    /// Sends a JSON body for `operation`, with retries, and returns the response body.
    public func send(_ operation: String, body: [UInt8]) async throws(AWSError) -> [UInt8] {
        var attempt = 1
        var retryCostTaken = 0
        var refreshed = false
        while true {
            guard let signing = try await credentials.resolve() else {
                throw AWSError.credentials("no AWS credentials found")
            }
            // Every attempt waits for its token, retries included.
            do {
                try await limiter?.acquire(operation: operation, region: region)
            } catch {
                throw AWSError(operation: operation, code: "Cancelled", message: "shutting down", kind: .other)
            }
            // A leader sends a change only while its lease is sure to outlast the call (every attempt asks); the
            // deadline runs from the moment of the check.
            var deadline = NIODeadline.now() + timeout.timeAmount
            if let fence, Self.changesState(operation) {
                if let reason = fence.refusal() { throw AWSError.fenced(operation, reason: reason) }
                deadline = NIODeadline.now() + min(timeout, fence.callDeadline).timeAmount
            }
            do {
                let result = try await sendOnce(operation, body: body, credentials: signing, deadline: deadline)
                retry.recordSuccess(retryCostTaken: retryCostTaken)
                observer?.requestFinished(service: service.signingName, operation: operation, errorCode: nil)
                return result
            } catch {
                observer?.requestFinished(service: service.signingName, operation: operation, errorCode: error.code)
                if Self.expiredCodes.contains(error.code), !refreshed {
                    // Temporary credentials expired before their stated time (or the clock is off): fetch new
                    // ones once and sign again. The service refused the request, so resending is safe.
                    refreshed = true
                    await credentials.expired(signing)
                    continue
                }
                if error.kind == .transient, Self.changesState(operation) {
                    // After a timeout or a 5xx the first attempt may have made the change: never send it again
                    // blindly; the next cycle observes and plans again.
                    var unsure = error
                    unsure.message = String(
                        (error.message + " (not retried: the change may have been made; the next cycle looks again)")
                            .prefix(500)
                    )
                    throw unsure
                }
                guard error.isRetryable, attempt < retry.maxAttempts, retry.acquireRetry(after: error) else {
                    throw error
                }
                retryCostTaken += RetryStrategy.cost(of: error)
                let delay = retry.delay(beforeRetry: attempt, after: error)
                logger.debug(
                    "retrying AWS request",
                    metadata: [
                        "operation": "\(operation)", "code": "\(error.code)", "attempt": "\(attempt)",
                        "delayMs": "\(delay.inMilliseconds)",
                    ]
                )
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw AWSError(operation: operation, code: "Cancelled", message: "shutting down", kind: .other)
                }
                attempt += 1
            }
        }
    }

    /// The codes of a refusal because temporary credentials expired.
    static let expiredCodes: Set<String> = ["ExpiredToken", "ExpiredTokenException", "RequestExpired"]

    private func sendOnce(
        _ operation: String,
        body: [UInt8],
        credentials: AWSCredentials,
        deadline: NIODeadline
    ) async throws(AWSError) -> [UInt8] {
        let signer = SigV4Signer(region: region, service: service.signingName)
        let signed = signer.sign(
            host: hostHeader,
            headers: [
                ("Content-Type", service.contentType),
                ("X-Amz-Target", "\(service.targetPrefix).\(operation)"),
            ],
            body: body,
            credentials: credentials,
            date: now()
        )
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: hostHeader)
        for header in signed.headers {
            headers.add(name: header.name, value: header.value)
        }
        headers.add(name: "Accept-Encoding", value: "identity")
        headers.add(name: "User-Agent", value: "tablekeeper")
        let status: Int
        let responseHeaders: HTTPHeaders
        let responseBody: [UInt8]
        do {
            // The future-based API: for one small request and response it costs less than the async one
            // (no task per request, no streamed body).
            let request = try HTTPClient.Request(
                url: endpoint.absoluteString,
                method: .POST,
                headers: headers,
                body: .bytes(body)
            )
            let accumulator = ResponseAccumulator(request: request, maxBodySize: 16 << 20)
            let task = http.execute(request: request, delegate: accumulator, deadline: deadline)
            // Cancelling the calling task (a shutdown that could not wait) cancels the request.
            let response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            status = Int(response.status.code)
            responseHeaders = response.headers
            responseBody = response.body.map { Array($0.readableBytesView) } ?? []
        } catch {
            throw AWSError(
                operation: operation,
                code: error is HTTPClientError && "\(error)".contains("deadline") ? "Timeout" : "ConnectionError",
                message: "\(endpoint.host ?? "endpoint"): \(Self.describe(error))",
                kind: .transient
            )
        }
        if (200..<300).contains(status) { return responseBody }
        var error = AWSErrorParser.parse(
            operation: operation,
            status: status,
            headers: responseHeaders,
            body: responseBody
        )
        if error.kind == .authentication {
            error.message =
                "the signature or key was refused (access key \(credentials.accessKeyID) from \(credentials.source)): \(error.message)"
        }
        throw error
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return String(text.prefix(200))
    }
}

/// Receives one call per finished attempt, for metrics.
public protocol AWSRequestObserver: Sendable {
    /// An attempt finished; `errorCode` is nil on success.
    func requestFinished(service: String, operation: String, errorCode: String?)
}
