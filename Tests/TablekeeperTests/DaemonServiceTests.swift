import Foundation
import StatusLog
import TestSupport
import Testing

/// The daemon as systemd and operators see it: the notify socket, the HTTP endpoint, the webhook.
@Suite("daemon services")
struct DaemonServiceTests {
    @Test("notify messages, /healthz, /readyz, /metrics, and the webhook accepted and refused")
    func servicesEndToEnd() async throws {
        let name = Scenario.unique("svc")
        // A long interval: after the first cycles only a webhook starts one.
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)], interval: "1h")
        let listener = try NotifyListener(address: "@tablekeeper-test-\(UUID().uuidString)")
        let process = try scenario.startAsSystemd(notifySocket: listener.address, watchdogUsec: 600_000)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let port = scenario.httpPort

        #expect(try await Scenario.waitUntil(.seconds(30)) { listener.messages.contains { $0.contains("READY=1") } })
        let ready = listener.messages.first { $0.contains("READY=1") } ?? ""
        #expect(ready.contains("STATUS=cycle 1 at "))
        // Tables created at start are looked at again after the requeue, until they are in sync.
        #expect(try await Scenario.waitUntil(.seconds(30)) { try await scenario.outcomes()[name] == "in_sync" })
        #expect(try await Scenario.waitUntil(.seconds(5)) { listener.messages.contains { $0.contains("1 in_sync") } })
        // Watchdog pings every 0.3 s while the loop is alive.
        #expect(listener.messages.filter { $0 == "WATCHDOG=1" }.count >= 2)

        let health = await LoopbackHTTP.request(port: port, path: "/healthz")
        #expect(health.status == 200)
        let readiness = await LoopbackHTTP.request(port: port, path: "/readyz")
        #expect(readiness.status == 200)
        #expect(readiness.body.hasPrefix("ready: cycle "))
        let metrics = await LoopbackHTTP.request(port: port, path: "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        for expected in [
            "tablekeeper_cycles_total ", "tablekeeper_cycle_duration_seconds_bucket{le=",
            #"tablekeeper_tables{outcome="in_sync"} 1"#,
            #"tablekeeper_aws_requests_total{service="dynamodb",operation="CreateTable",code="ok"} 1"#,
            #"operation="DescribeTable",code="ResourceNotFoundException"}"#,
            "tablekeeper_git_fetch_duration_seconds_count ", "tablekeeper_git_fetch_failures_total 0",
            "tablekeeper_last_successful_cycle_timestamp_seconds ", "tablekeeper_status_log_writable 1",
        ] {
            #expect(metrics.body.contains(expected), "missing \(expected)")
        }
        #expect(await LoopbackHTTP.request(port: port, path: "/nope").status == 404)
        #expect(await LoopbackHTTP.request(port: port, path: "/hooks/git").status == 405)

        // A pushed commit with a refused webhook: nothing happens.
        let other = Scenario.unique("hooked")
        let head = try await scenario.git.commit(
            files: ["manifests/\(other).json": Scenario.manifest(other)],
            message: "add a table"
        )
        let body = #"{"ref":"refs/heads/main","after":"\#(head)"}"#
        let cycles = { scenario.records().filter { $0.kind == .cycle }.count }
        let before = cycles()
        // Signed (or not) for `body`; `sent` replaces what is actually sent.
        func hook(secret: String?, sent: [UInt8]? = nil) async throws -> Int {
            var headers: [String: String] = [:]
            if let secret { headers["X-Hub-Signature-256"] = try await Scenario.sign(body, secret: secret) }
            let request = await LoopbackHTTP.request(
                port: port,
                method: "POST",
                path: "/hooks/git",
                headers: headers,
                body: sent ?? Array(body.utf8)
            )
            return request.status
        }
        #expect(try await hook(secret: nil) == 401)
        #expect(try await hook(secret: "not-the-secret") == 401)
        #expect(try await hook(secret: Scenario.webhookSecret, sent: [UInt8](repeating: 0x20, count: 2 << 20)) == 413)
        try await Task.sleep(for: .seconds(2))
        #expect(cycles() == before)
        #expect(!scenario.records().contains { $0.revision == head })

        // A signed webhook starts a cycle at once.
        let posted = ContinuousClock.now
        #expect(try await hook(secret: Scenario.webhookSecret) == 202)
        #expect(
            try await Scenario.waitUntil(.seconds(10)) {
                scenario.records().contains { $0.table == other && $0.revision == head }
            }
        )
        #expect(ContinuousClock.now - posted < .seconds(5))
        #expect(scenario.records().contains { $0.kind == .cycle && $0.trigger == "webhook" })

        kill(process.processIdentifier, SIGTERM)
        #expect(try await Scenario.waitUntil(.seconds(10)) { !process.isRunning })
        #expect(process.terminationStatus == 0)
        // STOPPING=1 is the last word about state; watchdog pings may go on until the process ends.
        #expect(try await Scenario.waitUntil(.seconds(2)) { listener.messages.contains("STOPPING=1") })
        let afterStopping = listener.messages.drop { $0 != "STOPPING=1" }.dropFirst()
        #expect(afterStopping.allSatisfy { $0 == "WATCHDOG=1" })
    }

    @Test("a taken HTTP port or an unreadable webhook secret stops the start with a clear error; SIGINT stops it")
    func startRefused() async throws {
        let name = Scenario.unique("port")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)], interval: "1h")
        let first = try scenario.startDaemon()
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                await LoopbackHTTP.request(port: scenario.httpPort, path: "/healthz").status == 200
            }
        )
        // A second daemon with a log of its own (the same log is refused earlier, by its writer lock).
        let secondConfig = try scenario.folder.write(
            "second.json",
            try String(contentsOfFile: scenario.configPath, encoding: .utf8).replacingOccurrences(
                of: "status.jsonl",
                with: "second.jsonl"
            )
        )
        let second = try await scenario.tablekeeper(["run", "--config", secondConfig])
        #expect(second.status == 1)
        #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(scenario.httpPort)"))
        #expect(second.stderr.contains("set http.listen"))
        // SIGINT stops it as SIGTERM does.
        kill(first.processIdentifier, SIGINT)
        await first.exited()
        #expect(first.terminationReason == .exit)
        #expect(first.terminationStatus == 0)

        try FileManager.default.removeItem(atPath: scenario.folder.file("webhook-secret"))
        let third = try await scenario.tablekeeper(["run", "--config", scenario.configPath])
        #expect(third.status == 1)
        #expect(third.stderr.contains("cannot read http.webhookSecretFile"))
    }

    @Test("SIGTERM during a stalled git fetch stops the worker and exits 0 within 10 s, recording nothing")
    func stopDuringFetch() async throws {
        let remote = try await LoopbackScript.stalled()
        let scenario = try await Scenario(files: [:], sourceURL: "http://127.0.0.1:\(remote.port)/tables.git")
        let listener = try NotifyListener(address: "@tablekeeper-test-\(UUID().uuidString)")
        let process = try scenario.startDaemon(environment: ["NOTIFY_SOCKET": listener.address])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                await LoopbackHTTP.request(port: scenario.httpPort, path: "/healthz").status == 200
            }
        )
        try await Task.sleep(for: .seconds(1))
        // Still in its first fetch (deadline 60 s): alive, not ready.
        #expect(await LoopbackHTTP.request(port: scenario.httpPort, path: "/readyz").status == 503)
        let workers = try await ProcessRunner.run("/usr/bin/pgrep", ["-P", "\(process.processIdentifier)"]).stdout
            .split(separator: "\n").compactMap { Int32($0) }
        #expect(!workers.isEmpty)
        let stopping = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        #expect(try await Scenario.waitUntil(.seconds(10)) { !process.isRunning })
        #expect(ContinuousClock.now - stopping < .seconds(10))
        #expect(process.terminationStatus == 0)
        // The git worker was killed by the shutdown, not left behind.
        for worker in workers {
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(worker)/cmdline"))
        }
        #expect(!listener.messages.contains { $0.contains("READY=1") })
        #expect(listener.messages.contains("STOPPING=1"))
        // No cycle ran, so none is recorded, and no fetch failure is claimed.
        #expect(scenario.records().isEmpty)
    }

    @Test("an unwritable status log shows in /readyz and the metrics, reconciling goes on, and writing resumes")
    func unwritableStatusLog() async throws {
        let name = Scenario.unique("nolog")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        // A folder where the log file should be: every open fails.
        try FileManager.default.createDirectory(atPath: scenario.statusLogPath, withIntermediateDirectories: true)
        let process = try scenario.startDaemon()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let port = scenario.httpPort
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                await LoopbackHTTP.request(port: port, path: "/readyz").body.contains("status log is not writable")
            }
        )
        #expect(await LoopbackHTTP.request(port: port, path: "/readyz").status == 503)
        #expect(
            await LoopbackHTTP.request(port: port, path: "/metrics").body.contains("tablekeeper_status_log_writable 0")
        )
        // Reconciling went on: the table exists (and becomes ACTIVE, which takes a moment after CreateTable).
        let described = try await scenario.boto("print(wait_active('\(name)')['TableStatus'])")
        #expect(described.contains("ACTIVE"))

        try FileManager.default.removeItem(atPath: scenario.statusLogPath)
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                await LoopbackHTTP.request(port: port, path: "/readyz").status == 200
            }
        )
        #expect(
            await LoopbackHTTP.request(port: port, path: "/metrics").body.contains("tablekeeper_status_log_writable 1")
        )
        // The records held back while the log was unwritable are written once it is back.
        #expect(scenario.records().contains { $0.table == name && $0.outcome == "created" })
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 0)
    }

    @Test("a notify socket nobody reads never stalls the daemon: SIGTERM still exits 0 within 10 s")
    func unreadNotifySocket() async throws {
        let name = Scenario.unique("stall")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)], interval: "1h")
        let listener = try NotifyListener(address: "@tablekeeper-unread-\(UUID().uuidString)", reading: false)
        // Watchdog pings every 50 ms fill the receiver's queue (10 datagrams) within a second.
        let process = try scenario.startAsSystemd(notifySocket: listener.address, watchdogUsec: 100_000)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(try await Scenario.waitUntil(.seconds(30)) { try await scenario.outcomes()[name] != nil })
        try await Task.sleep(for: .seconds(2))
        let metrics = await LoopbackHTTP.request(port: scenario.httpPort, path: "/metrics")
        let dropped = metrics.body.split(separator: "\n").first { $0.hasPrefix("tablekeeper_notify_dropped_total ") }
        #expect((dropped?.split(separator: " ").last.flatMap { Double($0) } ?? 0) > 0, "\(metrics.body)")
        let started = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(process.terminationStatus == 0)
    }
}
