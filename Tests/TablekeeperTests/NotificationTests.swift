import Foundation
import StatusLog
import TestSupport
import Testing

/// Notifications from the real daemon to loopback receivers: signed webhooks, Slack, a receiver that hangs and
/// one that fails before it takes them.
@Suite("notifications", .serialized)
struct NotificationTests {
    static let secret = "notify-secret-0123456789abcdef"

    /// A receiver on loopback that appends each request (path, event header, whether the signature verifies, the
    /// body) to `log` as a JSON line; `/hang` never answers in time, `/fail` answers 500 twice first.
    static func receiver(log: String) async throws -> LoopbackScript {
        try await LoopbackScript.start([
            "-c",
            """
            import hashlib, hmac, json, sys, threading, time
            from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
            log, secret = sys.argv[1], sys.argv[2].encode()
            failures = {"n": 0}
            lock = threading.Lock()
            class Handler(BaseHTTPRequestHandler):
                def log_message(self, *args):
                    pass
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    if self.path == "/hang":
                        time.sleep(60)
                    if self.path == "/fail":
                        with lock:
                            failures["n"] += 1
                            if failures["n"] <= 2:
                                self.send_response(500); self.end_headers(); return
                    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
                    entry = {"path": self.path, "event": self.headers.get("X-Tablekeeper-Event"),
                             "valid": hmac.compare_digest(expected, self.headers.get("X-Tablekeeper-Signature-256", "")),
                             "body": json.loads(body)}
                    with lock, open(log, "a") as f:
                        f.write(json.dumps(entry) + "\\n")
                    self.send_response(200); self.end_headers()
            server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """,
            log, secret,
        ])
    }

    func received(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test(
        "signed webhooks and Slack lines when an outcome changes, never per cycle; a hanging receiver delays no cycle; a failing one gets it on a retry"
    )
    func notifications() async throws {
        let name = Scenario.unique("notified")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        let log = scenario.folder.file("received.jsonl")
        let receiver = try await Self.receiver(log: log)
        let base = "http://127.0.0.1:\(receiver.port)"
        try scenario.folder.write("notify-secret", Self.secret + "\n", mode: 0o600)
        try scenario.folder.write("slack-url", "\(base)/slack\n", mode: 0o600)
        let secretFile = scenario.folder.file("notify-secret")
        let notify = """
            "notify": [
                {"type": "webhook", "url": "\(base)/ok", "secretFile": "\(secretFile)", "events": ["created", "flagged"]},
                {"type": "webhook", "url": "\(base)/hang", "secretFile": "\(secretFile)", "events": ["created", "flagged"]},
                {"type": "webhook", "url": "\(base)/fail", "secretFile": "\(secretFile)", "events": ["created"]},
                {"type": "slack", "urlFile": "\(scenario.folder.file("slack-url"))", "events": ["flagged"]}
              ],
              "statusLog":
            """
        let config = try String(contentsOfFile: scenario.configPath, encoding: .utf8)
        try scenario.folder.write("config.json", config.replacingOccurrences(of: #""statusLog":"#, with: notify))
        let daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        // Created: one signed webhook; the failing receiver gets it on a retry.
        #expect(
            try await Scenario.waitUntil(.seconds(60)) {
                received(log).contains { $0["path"] as? String == "/ok" && $0["event"] as? String == "created" }
            }
        )
        let created = try #require(received(log).first { $0["path"] as? String == "/ok" })
        #expect(created["valid"] as? Bool == true)
        let body = try #require(created["body"] as? [String: Any])
        #expect(body["table"] as? String == name)
        #expect(body["region"] as? String == "us-east-1")
        #expect(body["outcome"] as? String == "created")
        #expect((body["revision"] as? String)?.count == 40)
        #expect(body["time"] != nil && body["changes"] != nil && body["message"] != nil)
        #expect(
            try await Scenario.waitUntil(.seconds(20)) { received(log).contains { $0["path"] as? String == "/fail" } }
        )

        // A receiver that hangs holds no cycle: cycles go on every interval.
        let cycles = { scenario.records().filter { $0.kind == .cycle }.count }
        let before = cycles()
        #expect(try await Scenario.waitUntil(.seconds(15)) { cycles() >= before + 3 })

        // Flagged: an encryption change, told once to the webhook and to Slack, not again on later cycles.
        try await scenario.git.commit(
            files: ["manifests/\(name).json": Scenario.manifest(name, extra: #", "encryption": {"type": "DEFAULT"}"#)],
            message: "owned key"
        )
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                received(log).contains { $0["path"] as? String == "/slack" }
                    && received(log).contains { $0["path"] as? String == "/ok" && $0["event"] as? String == "flagged" }
            }
        )
        let slack = try #require(received(log).first { $0["path"] as? String == "/slack" })
        let text = try #require((slack["body"] as? [String: Any])?["text"] as? String)
        #expect(text.contains(name) && text.contains("flagged") && text.contains("encryption"))
        #expect(!text.contains("\n"))
        let flagged = received(log).first { $0["event"] as? String == "flagged" }
        let changes = (flagged?["body"] as? [String: Any])?["changes"] as? [[String: Any]]
        #expect(changes?.first?["field"] as? String == "encryption")
        let seen = cycles()
        #expect(try await Scenario.waitUntil(.seconds(15)) { cycles() >= seen + 3 })
        let told = received(log).filter { $0["path"] as? String == "/ok" && $0["event"] as? String == "flagged" }
        #expect(told.count == 1)
        // The secret never reaches the log.
        let journal = try String(contentsOfFile: scenario.statusLogPath, encoding: .utf8)
        #expect(!journal.contains(Self.secret))
    }
}
