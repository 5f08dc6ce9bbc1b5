import Foundation
import StatusLog
import TestSupport
import Testing

/// Secrets, files, configuration and helper processes: what an operator's host must be able to trust.
@Suite("trust boundaries end to end")
struct TrustTests {
    /// The scenario's config with `change` applied to its text.
    func editConfig(_ scenario: Scenario, _ change: (String) -> String) throws {
        let text = try String(contentsOfFile: scenario.configPath, encoding: .utf8)
        try change(text).write(toFile: scenario.configPath, atomically: true, encoding: .utf8)
    }

    @Test("a readable secret file, a URL with user info or a local URL without allowLocal, a remote listen: refused")
    func configurationRefusals() async throws {
        let name = Scenario.unique("trust")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        let secret = scenario.folder.file("webhook-secret")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: secret)
        let readable = try await scenario.runOnce()
        #expect(readable.status == 1)
        #expect(readable.stderr.contains("http.webhookSecretFile \(secret) is readable by group or others (mode 644)"))
        #expect(readable.stderr.contains("chmod 0600") && readable.stderr.contains("LoadCredential="))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)

        try editConfig(scenario) { $0.replacingOccurrences(of: #""allowLocal": true, "#, with: "") }
        let local = try await scenario.runOnce()
        #expect(local.status == 1)
        #expect(local.stderr.contains("$.source.url"), "\(local.stderr)")
        #expect(local.stderr.contains("source.allowLocal"))
        try editConfig(scenario) {
            $0.replacingOccurrences(of: scenario.git.url, with: "https://bot:s3cret-token@git.example.com/t.git")
        }
        let userInfo = try await scenario.runOnce()
        #expect(userInfo.status == 1)
        #expect(userInfo.stderr.contains("carries user info"))
        #expect(!userInfo.stderr.contains("s3cret-token"))
        try editConfig(scenario) {
            $0.replacingOccurrences(of: #""listen": "127.0.0.1:"#, with: #""listen": "0.0.0.0:"#)
        }
        let remote = try await scenario.runOnce()
        #expect(remote.stderr.contains("$.http.listen"))
        #expect(remote.stderr.contains("http.allowRemote"))
    }

    @Test("a second writer of the status log is refused; a status log that is a symlink or another user's is refused")
    func statusLogOwnership() async throws {
        let name = Scenario.unique("owner")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)], interval: "1h")
        let daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(try await Scenario.waitUntil(.seconds(30)) { !scenario.records().isEmpty })
        let second = try await scenario.runOnce()
        #expect(second.status == 1)
        #expect(second.stderr.contains("another tablekeeper writes \(scenario.statusLogPath)"), "\(second.stderr)")
        kill(daemon.processIdentifier, SIGTERM)
        await daemon.exited()

        // A planted symbolic link in place of the log.
        let target = scenario.folder.file("elsewhere.jsonl")
        try FileManager.default.moveItem(atPath: scenario.statusLogPath, toPath: target)
        try FileManager.default.createSymbolicLink(atPath: scenario.statusLogPath, withDestinationPath: target)
        let linked = try await scenario.runOnce()
        #expect(linked.status == 1)
        #expect(linked.stderr.contains("is a symbolic link"))
        try FileManager.default.removeItem(atPath: scenario.statusLogPath)
        try FileManager.default.moveItem(atPath: target, toPath: scenario.statusLogPath)

        // Root over the service user's files (the tests run as root in CI; elsewhere this part cannot be set up).
        guard geteuid() == 0 else { return }
        chown(scenario.statusLogPath, 65534, 65534)
        let asRoot = try await scenario.runOnce()
        #expect(asRoot.status == 1)
        #expect(asRoot.stderr.contains("belongs to uid 65534"))
        #expect(asRoot.stderr.contains("runuser") && asRoot.stderr.contains("systemd-run"))
        #expect(asRoot.stderr.contains("-p DynamicUser=yes -p User=tablekeeper"))
        let plan = try await scenario.tablekeeper(["plan", "--config", scenario.configPath])
        #expect(plan.status == 0 || plan.status == 2, "plan writes no log: \(plan.stderr)")
    }

    @Test("the git worker never sees AWS credentials or NOTIFY_SOCKET")
    func workerEnvironment() async throws {
        let name = Scenario.unique("env")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)], interval: "1h")
        let daemon = try scenario.startDaemon(environment: [
            "NOTIFY_SOCKET": "@tablekeeper-unused-\(UUID().uuidString)", "AWS_SESSION_TOKEN": "session-secret",
        ])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(try await Scenario.waitUntil(.seconds(30)) { !scenario.records().isEmpty })
        let children = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init).filter {
            pid in
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 2 && Int32(fields[1]) == daemon.processIdentifier
        }
        let worker = try #require(
            children.first { pid in
                ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").contains("git-worker")
            }
        )
        let environment = try String(contentsOfFile: "/proc/\(worker)/environ", encoding: .utf8)
            .split(separator: "\0").map { String($0.split(separator: "=").first ?? "") }
        #expect(!environment.contains { $0.hasPrefix("AWS_") }, "\(environment)")
        #expect(!environment.contains("NOTIFY_SOCKET"))
        #expect(environment.contains("GIT_TERMINAL_PROMPT"))
    }

    @Test("an error code outside the known list is counted as other, so the metric's labels stay bounded")
    func boundedErrorCodes() async throws {
        let hostile = try await LoopbackScript.start([
            "-c",
            """
            import json, uuid
            from http.server import BaseHTTPRequestHandler, HTTPServer
            class H(BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    body = json.dumps({"__type": "com.evil#Invented" + uuid.uuid4().hex, "message": "no"}).encode()
                    self.send_response(400)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a): pass
            s = HTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """,
        ])
        let name = Scenario.unique("codes")
        let scenario = try await Scenario(
            files: ["manifests/\(name).json": Scenario.manifest(name)],
            interval: "1h",
            awsEndpoint: "http://127.0.0.1:\(hostile.port)"
        )
        let daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(try await Scenario.waitUntil(.seconds(30)) { !scenario.records().isEmpty })
        let metrics = await LoopbackHTTP.request(port: scenario.httpPort, path: "/metrics").body
        #expect(metrics.contains(#"code="other""#), "\(metrics)")
        #expect(!metrics.contains("Invented"))
    }

    @Test("status shows control characters from a pushed manifest escaped, never raw")
    func escapedOutput() async throws {
        let evil = "evil\u{1B}]0;owned\u{07}\u{1B}[31m\u{202E}"
        let scenario = try await Scenario(files: [
            "manifests/evil.json":
                #"{"tableName": "\#(evil.unicodeScalars.map { $0.value < 0x20 || $0.value > 0x7e ? String(format: "\\u%04x", $0.value) : String($0) }.joined())", "partitionKey": {"name": "id", "type": "S"}}"#
        ])
        let run = try await scenario.runOnce()
        #expect(run.status == 2)
        #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\u{202E}"), "\(run.stdout)")
        let status = try await scenario.tablekeeper(["status", "--log", scenario.statusLogPath])
        #expect(status.stdout.contains(#"evil\x1b]0;owned\x07\x1b[31m\u{202e}"#), "\(status.stdout)")
        #expect(!status.stdout.contains("\u{1B}") && !status.stdout.contains("\u{07}"))
        let history = try await scenario.tablekeeper(["status", "--log", scenario.statusLogPath, "--history"])
        #expect(!history.stdout.contains("\u{1B}"))
        #expect(!run.stderr.contains("\u{1B}"))
    }
}
