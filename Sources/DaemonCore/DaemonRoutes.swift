public import Prometheus
import Synchronization
import SystemSupport

/// A response the HTTP endpoint sends.
public struct HTTPReply: Sendable {
    /// The status code.
    public var status: Int
    /// The body.
    public var body: [UInt8]
    /// The content type.
    public var contentType = "text/plain; charset=utf-8"
    /// Extra headers.
    public var headers: [(String, String)] = []

    init(_ status: Int, _ text: String, headers: [(String, String)] = []) {
        self.status = status
        self.body = Array((text + "\n").utf8)
        self.headers = headers
    }

    init(_ status: Int, body: [UInt8], contentType: String) {
        self.status = status
        self.body = body
        self.contentType = contentType
    }
}

/// The daemon's HTTP routes; every answer is computed at once, so the server never waits on the loop.
public final class DaemonRoutes: Sendable {
    /// The largest request body accepted.
    public static let maxBodyBytes = 1 << 20

    let health: DaemonHealth
    let registry: PrometheusCollectorRegistry
    let wakeups: Wakeups
    private let secret: Mutex<[UInt8]?>
    let gate = WebhookGate()
    /// The timer of the cycle queued for the end of the webhook spacing (kept alive until it fires).
    private let queued = Mutex<OneShotTimer?>(nil)

    /// Creates the routes; `webhookSecret` nil answers the webhook with 404.
    public init(health: DaemonHealth, registry: PrometheusCollectorRegistry, wakeups: Wakeups, webhookSecret: [UInt8]?)
    {
        self.health = health
        self.registry = registry
        self.wakeups = wakeups
        self.secret = Mutex(webhookSecret)
    }

    /// Replaces the webhook secret (after a reload).
    public func update(webhookSecret: [UInt8]?) {
        secret.withLock { $0 = webhookSecret }
    }

    /// Whether a request's body is worth reading: a POST to the webhook, with a secret configured and a
    /// well-formed signature header. Anything else is answered from its head alone.
    public func wantsBody(path: String, headers: [String: String]) -> Bool {
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        guard route == "/hooks/git", secret.withLock({ $0 != nil }), let signature = headers[WebhookSignature.header]
        else { return false }
        return WebhookSignature.isWellFormed(signature)
    }

    /// The answer to one request. `headers` names are lowercased.
    public func respond(method: String, path: String, headers: [String: String], body: [UInt8]) -> HTTPReply {
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let allowed: [String]
        switch route {
        case "/healthz", "/readyz", "/metrics": allowed = ["GET", "HEAD"]
        case "/hooks/git": allowed = ["POST"]
        default: return HTTPReply(404, "not found: try /healthz, /readyz, /metrics or POST /hooks/git")
        }
        guard allowed.contains(method) else {
            let allow = allowed.joined(separator: ", ")
            return HTTPReply(
                405,
                "method \(method) not allowed on \(route) (use \(allow))",
                headers: [("Allow", allow)]
            )
        }
        switch route {
        case "/healthz":
            return HTTPReply(200, "ok")
        case "/readyz":
            let state = health.snapshot
            if let reason = state.notReadyReason(now: .now) {
                return HTTPReply(503, "not ready: \(reason)")
            }
            return HTTPReply(200, "ready: \(state.lastSummary ?? "")")
        case "/metrics":
            return HTTPReply(
                200,
                body: registry.emitToBuffer(),
                contentType: "text/plain; version=0.0.4; charset=utf-8"
            )
        default:
            return webhook(headers: headers, body: body)
        }
    }

    func webhook(headers: [String: String], body: [UInt8]) -> HTTPReply {
        guard let secret = secret.withLock({ $0 }) else {
            return HTTPReply(404, "no webhook: set http.webhookSecretFile in the configuration")
        }
        guard let signature = headers[WebhookSignature.header] else {
            return HTTPReply(401, "missing X-Hub-Signature-256 header")
        }
        guard WebhookSignature.isValid(header: signature, body: body, secret: secret) else {
            return HTTPReply(401, "X-Hub-Signature-256 does not match the body under the configured secret")
        }
        switch gate.admit(keys: WebhookGate.keys(headers: headers, body: body), now: .now) {
        case .now:
            wakeups.post(.webhook)
            return HTTPReply(202, "cycle queued")
        case .later(let delay):
            let wakeups = wakeups
            let gate = gate
            let timer = OneShotTimer(after: delay) {
                gate.queuedCycleStarted(at: .now)
                wakeups.post(.webhook)
            }
            queued.withLock { $0 = timer }
            return HTTPReply(202, "cycle queued in \(delay.components.seconds + 1) s (webhook cycles are 10 s apart)")
        case .alreadyQueued:
            return HTTPReply(202, "a cycle is already queued")
        case .replay:
            return HTTPReply(202, "this delivery was seen in the last 10 minutes; ignored")
        }
    }
}
