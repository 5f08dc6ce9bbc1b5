import DaemonCore
import Foundation
import TestSupport
import Testing

/// deploy/prometheus-rules.yml and deploy/grafana-dashboard.json against promtool and the daemon's own metrics.
@Suite("alerting")
struct AlertingTests {
    static let promtool = "/usr/bin/promtool"

    /// `tablekeeper_…` names in `text`, with a histogram's `_bucket`, `_count` and `_sum` taken back to its name.
    static func metricNames(in text: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(text)
        while let start = rest.firstRange(of: "tablekeeper_") {
            let name = rest[start.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            var base = String(name)
            for suffix in ["_bucket", "_count", "_sum"] where base.hasSuffix(suffix) {
                base = String(base.dropLast(suffix.count))
            }
            names.insert(base)
            rest = rest[name.endIndex...]
        }
        return names
    }

    @Test("the alert rules pass promtool check rules")
    func rulesCheck() async throws {
        let result = try await ProcessRunner.run(
            Self.promtool,
            ["check", "rules", RepositoryPaths.path("deploy/prometheus-rules.yml")]
        )
        #expect(result.status == 0, "promtool (scripts/setup installs it): \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("SUCCESS: 7 rules found"))
    }

    @Test("every metric the rules and the dashboard name is one the daemon exports")
    func namesExist() throws {
        let rules = try String(contentsOfFile: RepositoryPaths.path("deploy/prometheus-rules.yml"), encoding: .utf8)
        let dashboard = try String(
            contentsOfFile: RepositoryPaths.path("deploy/grafana-dashboard.json"),
            encoding: .utf8
        )
        let exported = Set(DaemonMetrics.help.keys)
        for (file, text) in [("rules", rules), ("dashboard", dashboard)] {
            let named = Self.metricNames(in: text)
            #expect(named.count >= 6, "\(file): \(named.sorted())")
            #expect(
                named.isSubset(of: exported),
                "\(file) names unknown metrics: \(named.subtracting(exported).sorted())"
            )
        }
        for panel in ["Tables by outcome", "Cycle duration", "AWS requests by operation and code", "Git fetch time"] {
            #expect(dashboard.contains(panel))
        }
        #expect(dashboard.contains("Last successful cycle"))
    }

    @Test("the daemon's /metrics passes promtool check metrics with no finding, every series with HELP")
    func metricsLint() async throws {
        let scenario = try await Scenario(files: ["manifests/a.json": Scenario.manifest(Scenario.unique("lint"))])
        let daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(try await Scenario.waitUntil(.seconds(60)) { try await scenario.status()["lastCycle"] != nil })
        let body = await LoopbackHTTP.request(port: scenario.httpPort, path: "/metrics").body
        try scenario.folder.write("metrics.txt", body)
        let result = try await ProcessRunner.run(
            "/bin/sh",
            ["-c", "\(Self.promtool) check metrics < \"$0\"", scenario.folder.file("metrics.txt")]
        )
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
        for name in DaemonMetrics.help.keys where body.contains("\n\(name) ") || body.contains("\n\(name){") {
            #expect(body.contains("# HELP \(name) "), "\(name) has no HELP")
        }
        #expect(body.contains("# HELP tablekeeper_cycles_total Reconcile cycles finished."))
        #expect(body.contains("tablekeeper_source_interval_seconds 2"))
    }
}
