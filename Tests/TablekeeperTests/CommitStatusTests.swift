import Foundation
import TestSupport
import Testing

/// Commit statuses from the real daemon to a loopback server standing in for each git host's API.
@Suite("commit status end to end", .serialized)
struct CommitStatusEndToEndTests {
    /// Records each POST (path, token headers, body) as a JSON line in `log`; answers 201.
    static func host(log: String) async throws -> LoopbackScript {
        try await LoopbackScript.start([
            "-c",
            """
            import json, sys, threading
            from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
            log = sys.argv[1]
            lock = threading.Lock()
            class Handler(BaseHTTPRequestHandler):
                def log_message(self, *args):
                    pass
                def do_POST(self):
                    body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                    entry = {"path": self.path, "authorization": self.headers.get("Authorization"),
                             "private": self.headers.get("PRIVATE-TOKEN"), "body": body}
                    with lock, open(log, "a") as f:
                        f.write(json.dumps(entry) + "\\n")
                    self.send_response(201); self.end_headers()
            server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """,
            log,
        ])
    }

    func received(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test(
        "pending while changes are in flight, success once in sync, failure with the counts; each provider's path and token header",
        arguments: ["github", "gitlab", "gitea"]
    )
    func statuses(provider: String) async throws {
        let name = Scenario.unique("status")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        let log = scenario.folder.file("statuses.jsonl")
        let host = try await Self.host(log: log)
        try scenario.folder.write("token", "secret-token\n", mode: 0o600)
        let api = "http://127.0.0.1:\(host.port)/api"
        let repository = provider == "gitlab" ? "ops/tables" : "ops/tables"
        let config = try String(contentsOfFile: scenario.configPath, encoding: .utf8)
        try scenario.folder.write(
            "config.json",
            config.replacingOccurrences(
                of: #""source": {"#,
                with:
                    #""source": {"commitStatus": {"provider": "\#(provider)", "apiUrl": "\#(api)", "repository": "\#(repository)", "tokenFile": "\#(scenario.folder.file("token"))"}, "#
            )
        )
        let daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        func states() -> [String] {
            received(log).compactMap { ($0["body"] as? [String: Any])?["state"] as? String }
        }
        let success = "success"
        #expect(try await Scenario.waitUntil(.seconds(60)) { states().contains(success) }, "\(received(log))")
        #expect(states().first == "pending")
        let first = try #require(received(log).first)
        let head = try await scenario.git.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        switch provider {
        case "gitlab":
            #expect(first["path"] as? String == "/api/projects/ops%2Ftables/statuses/\(head)")
            #expect(first["private"] as? String == "secret-token")
            #expect((first["body"] as? [String: Any])?["name"] as? String == "tablekeeper")
        case "gitea":
            #expect(first["path"] as? String == "/api/repos/ops/tables/statuses/\(head)")
            #expect(first["authorization"] as? String == "token secret-token")
        default:
            #expect(first["path"] as? String == "/api/repos/ops/tables/statuses/\(head)")
            #expect(first["authorization"] as? String == "Bearer secret-token")
        }
        // Not repeated while nothing changes.
        let count = received(log).count
        try await Task.sleep(for: .seconds(5))
        #expect(received(log).count == count)

        // A flagged change: failure on the new commit, with the counts and the first problem.
        let flaggedCommit = try await scenario.git.commit(
            files: ["manifests/\(name).json": Scenario.manifest(name, extra: #", "encryption": {"type": "DEFAULT"}"#)],
            message: "owned key"
        )
        let failed = provider == "gitlab" ? "failed" : "failure"
        #expect(try await Scenario.waitUntil(.seconds(30)) { states().last == failed })
        let last = try #require(received(log).last)
        #expect((last["path"] as? String)?.hasSuffix("/statuses/\(flaggedCommit)") == true, "\(last)")
        #expect(
            ((last["body"] as? [String: Any])?["description"] as? String)?.hasPrefix("1 flagged: \(name) encryption")
                == true,
            "\(last)"
        )
    }
}
