import DaemonCore
import Prometheus
import Testing

@Suite("daemon routes")
struct DaemonRoutesTests {
    let secret = Array("0123456789abcdef-secret".utf8)

    func routes(secret: [UInt8]?) -> (DaemonRoutes, DaemonHealth, Wakeups) {
        let health = DaemonHealth(interval: .seconds(30), cycleLimit: .seconds(660))
        let wakeups = Wakeups()
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "tablekeeper",
                metricName: "cycles",
                unitName: "total",
                helpText: ""
            )
        ).increment()
        return (
            DaemonRoutes(health: health, registry: registry, wakeups: wakeups, webhookSecret: secret), health, wakeups
        )
    }

    func text(_ reply: HTTPReply) -> String {
        String(decoding: reply.body, as: UTF8.self)
    }

    @Test("health, readiness before and after a cycle, metrics, unknown paths and wrong methods")
    func routing() {
        let (routes, health, _) = routes(secret: nil)
        #expect(routes.respond(method: "GET", path: "/healthz", headers: [:], body: []).status == 200)
        let early = routes.respond(method: "GET", path: "/readyz", headers: [:], body: [])
        #expect(early.status == 503)
        #expect(text(early) == "not ready: no cycle has finished yet\n")
        health.cycleFinished(summary: "cycle 1 at abc: 3 in_sync", statusLogProblem: nil)
        let ready = routes.respond(method: "GET", path: "/readyz?verbose", headers: [:], body: [])
        #expect(ready.status == 200)
        #expect(text(ready) == "ready: cycle 1 at abc: 3 in_sync\n")
        let metrics = routes.respond(method: "GET", path: "/metrics", headers: [:], body: [])
        #expect(text(metrics).contains("tablekeeper_cycles_total 1"))
        #expect(metrics.contentType.hasPrefix("text/plain; version=0.0.4"))
        #expect(routes.respond(method: "HEAD", path: "/metrics", headers: [:], body: []).status == 200)
        #expect(routes.respond(method: "GET", path: "/admin", headers: [:], body: []).status == 404)
        let wrong = routes.respond(method: "POST", path: "/healthz", headers: [:], body: [])
        #expect(wrong.status == 405)
        #expect(wrong.headers.contains { $0 == "Allow" && $1 == "GET, HEAD" })
        #expect(routes.respond(method: "GET", path: "/hooks/git", headers: [:], body: []).status == 405)
    }

    @Test(
        "the webhook: 404 without a secret, 401 unsigned or forged, 202 and a wake-up when signed, a new secret at once"
    )
    func webhook() async {
        let body = Array(#"{"ref":"refs/heads/main"}"#.utf8)
        let (routes, _, wakeups) = routes(secret: nil)
        func post(signature: String?) -> Int {
            let headers = signature.map { [WebhookSignature.header: $0] } ?? [:]
            return routes.respond(method: "POST", path: "/hooks/git", headers: headers, body: body).status
        }
        #expect(post(signature: nil) == 404)
        routes.update(webhookSecret: secret)
        #expect(post(signature: nil) == 401)
        #expect(
            post(signature: WebhookSignature.sign(body: body, secret: Array("another secret entirely".utf8))) == 401
        )
        let signed = WebhookSignature.sign(body: body, secret: secret)
        #expect(post(signature: signed) == 202)
        #expect(await wakeups.next(timeout: .seconds(60)) == [.webhook])
        routes.update(webhookSecret: Array("the rotated secret value".utf8))
        #expect(post(signature: signed) == 401)
    }
}
