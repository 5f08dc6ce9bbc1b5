import Foundation
import StatusLog
import TestSupport
import Testing

/// The control socket through the real binary: reconcile now, suspend and resume (by manifest, by table, all),
/// a restart while suspended, the socket's mode and owner, and an unreachable daemon.
@Suite("control socket", .serialized)
struct ControlTests {
    @Test("reconcile with and without --table, suspend through git and the socket, a restart while suspended, --all")
    func control() async throws {
        let (first, second) = (Scenario.unique("ctl-a"), Scenario.unique("ctl-b"))
        let scenario = try await Scenario(
            files: [
                "manifests/\(first).json": Scenario.manifest(first, indexes: []),
                "manifests/\(second).json": Scenario.manifest(second, indexes: []),
            ],
            interval: "1h"
        )
        let socket = scenario.folder.file("control.sock")
        let config = try String(contentsOfFile: scenario.configPath, encoding: .utf8)
        try scenario.folder.write(
            "config.json",
            config.replacingOccurrences(
                of: #""statusLog":"#,
                with: #""control": {"socket": "\#(socket)"}, "statusLog":"#
            )
        )
        let logPath = scenario.folder.file("daemon.log")
        var daemon = try scenario.startDaemon(logLevel: "info", logPath: logPath)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        func settled(_ expected: [String: String]) async throws -> Bool {
            try await Scenario.waitUntil(.seconds(60)) {
                let outcomes = try await scenario.outcomes()
                return expected.allSatisfy { outcomes[$0.key] == $0.value }
            }
        }
        func reconcile(_ extra: [String] = []) async throws -> ProcessResult {
            try await scenario.tablekeeper(["reconcile", "--config", scenario.configPath] + extra)
        }
        #expect(try await Scenario.waitUntil(.seconds(30)) { FileManager.default.fileExists(atPath: socket) })
        // Reconciling until settled, on demand (the interval is an hour).
        for _ in 0..<40 {
            _ = try await reconcile()
            if try await scenario.outcomes().values.allSatisfy({ $0 == "in_sync" }) { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        if try await !settled([first: "in_sync", second: "in_sync"]) {
            // What led there, for a failure seen only on a loaded machine.
            let history = scenario.records().filter { $0.kind == .table }.map { record in
                let changes = (record.changes ?? []).map { "\($0.field):\($0.action)" }.joined(separator: ",")
                return "\(record.time) \(record.cycle ?? 0) \(record.table ?? "") \(record.outcome ?? "") [\(changes)] "
                    + (record.message ?? "")
            }
            let calls = try await scenario.aws.journal().filter { $0.operation != "DescribeTable" }.map {
                "\($0.seq) \($0.operation) \($0.table ?? "") \($0.status) \($0.code ?? "")"
            }
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            Issue.record(
                "not settled:\n\(history.joined(separator: "\n"))\n\(calls.joined(separator: "\n"))\n\(log.suffix(6000))"
            )
        }

        // The socket: owner only.
        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.ownerAccountID] as? Int) == Int(getuid()))

        let all = try await reconcile()
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        #expect(all.stdout.contains(first) && all.stdout.contains(second))
        #expect(scenario.records().contains { $0.kind == .cycle && $0.trigger == "reconcile" })
        let one = try await reconcile(["--table", first])
        #expect(one.status == 0)
        #expect(one.stdout.contains(first) && !one.stdout.contains(second))

        // Suspended through git: observed and reported, never changed.
        try await scenario.git.commit(
            files: [
                "manifests/\(first).json": Scenario.manifest(
                    first,
                    indexes: [],
                    extra: #", "suspended": true, "tags": {"team": "a"}"#
                )
            ],
            message: "suspend a"
        )
        let since = try await scenario.aws.journal().map(\.seq).max() ?? 0
        let fetched = try await reconcile(["--with-source"])
        #expect(fetched.status == 0, "\(fetched.stdout)\(fetched.stderr)")
        #expect(try await scenario.outcomes()[first] == "suspended")
        let record = scenario.records().last { $0.table == first }
        #expect(record?.message?.contains("suspended by its manifest") == true)
        #expect(record?.changes?.contains { $0.field == "tags[team]" } == true)

        // Suspended through the socket: kept across a restart, then resumed.
        // Run by root through sudo: the record names the person behind it.
        let suspend = try await ProcessRunner.tablekeeper(
            ["suspend", "--config", scenario.configPath, "--table", second, "--reason", "INC-1234 load test"],
            environment: Scenario.environment.merging(["SUDO_USER": "alice"]) { $1 }
        )
        #expect(suspend.status == 0, "\(suspend.stdout)\(suspend.stderr)")
        try await scenario.git.commit(
            files: [
                "manifests/\(second).json": Scenario.manifest(second, indexes: [], extra: #", "tags": {"team": "b"}"#)
            ],
            message: "tag b"
        )
        _ = try await reconcile(["--with-source"])
        #expect(try await scenario.outcomes()[second] == "suspended")
        let held = scenario.records().last { $0.table == second }?.message ?? ""
        #expect(held.contains("INC-1234 load test") && held.contains("(tablekeeper suspend)"), "\(held)")
        #expect(getuid() != 0 || held.contains("suspended by alice via sudo (tablekeeper suspend)"), "\(held)")
        kill(daemon.processIdentifier, SIGTERM)
        await daemon.exited()
        daemon = try scenario.startDaemon()
        #expect(try await Scenario.waitUntil(.seconds(30)) { (try? await reconcile())?.status == 0 })
        #expect(try await scenario.outcomes()[second] == "suspended")
        let tagged = try await scenario.aws.journal(operation: "TagResource", since: since)
        #expect(tagged.isEmpty, "\(tagged.map(\.table))")
        let resume = try await scenario.tablekeeper(["resume", "--config", scenario.configPath, "--table", second])
        #expect(resume.status == 0)
        _ = try await reconcile()
        #expect(try await scenario.outcomes()[second] != "suspended")

        // Every table, for an incident; resuming all leaves the manifest's own suspension.
        _ = try await scenario.tablekeeper([
            "suspend", "--config", scenario.configPath, "--all", "--reason", "incident",
        ])
        _ = try await reconcile()
        #expect(try await scenario.outcomes()[second] == "suspended")
        _ = try await scenario.tablekeeper(["resume", "--config", scenario.configPath, "--all"])
        _ = try await reconcile()
        #expect(try await scenario.outcomes()[first] == "suspended")
        #expect(try await scenario.outcomes()[second] != "suspended")

        // Something flagged: exit 2.
        try await scenario.git.commit(
            files: [
                "manifests/\(second).json": Scenario.manifest(
                    second,
                    indexes: [],
                    extra: #", "tags": {"team": "b"}, "encryption": {"type": "DEFAULT"}"#
                )
            ],
            message: "owned key"
        )
        let flagged = try await reconcile(["--with-source"])
        #expect(flagged.status == 2, "\(flagged.stdout)")

        // No daemon: exit 1, naming the socket.
        kill(daemon.processIdentifier, SIGTERM)
        await daemon.exited()
        let unreachable = try await reconcile()
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains(socket))
    }
}
