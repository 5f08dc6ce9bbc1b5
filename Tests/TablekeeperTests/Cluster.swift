import Foundation
import StatusLog
import Synchronization
import TestSupport
import Testing

/// Several daemons sharing one configuration's git remote, endpoint and lease, each on its own host in all but
/// name: its own status log, cache, HTTP port and access key id (the endpoint's journal tells them apart).
final class Cluster: Sendable {
    let folder = TemporaryDirectory("tablekeeper-ha")
    let git: GitFixture
    let aws: FidelityEndpoint
    let tables: [String]
    let ports: [Int]
    /// The daemons started, stopped (resumed first, if stopped) when the cluster goes.
    private let daemons = Mutex<[Process]>([])
    static let leaseTable = "tablekeeper-leader"
    static let leaseDuration: Duration = .seconds(2)
    static let renewEvery: Duration = .milliseconds(500)

    init(nodes: Int, tables count: Int = 2) async throws {
        tables = (0..<count).map { _ in Scenario.unique("ha") }
        git = try await GitFixture(
            files: Dictionary(uniqueKeysWithValues: tables.map { ("manifests/\($0).json", Scenario.manifest($0)) })
        )
        aws = try await FidelityEndpoint.start()
        ports = try (0..<nodes).map { _ in try MotoServer.freePort() }
        for node in 0..<nodes {
            try folder.write(
                "node\(node)/config.json",
                """
                {
                  "source": {"url": "\(git.url)", "allowLocal": true, "interval": "1s",
                             "cacheDirectory": "\(folder.file("node\(node)/cache/repo"))"},
                  "aws": {"region": "us-east-1", "endpoint": "\(aws.endpoint)"},
                  "statusLog": {"path": "\(logPath(node))"},
                  "http": {"listen": "127.0.0.1:\(ports[node])"},
                  "leader": {"table": "\(Self.leaseTable)", "leaseDuration": "2s", "renewEvery": "500ms"}
                }
                """
            )
        }
    }

    deinit {
        for daemon in daemons.withLock({ $0 }) where daemon.isRunning {
            kill(daemon.processIdentifier, SIGCONT)
            kill(daemon.processIdentifier, SIGKILL)
        }
        aws.stop()
    }

    func configPath(_ node: Int) -> String { folder.file("node\(node)/config.json") }
    func logPath(_ node: Int) -> String { folder.file("node\(node)/status.jsonl") }
    func daemonLog(_ node: Int) -> String { folder.file("node\(node)/daemon.log") }
    static func accessKey(_ node: Int) -> String { "AKIDNODE\(node)" }

    /// Starts node `node`'s daemon.
    @discardableResult
    func start(_ node: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.binary)
        process.arguments = ["run", "--config", configPath(node), "--log-level", "info"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "AWS_ACCESS_KEY_ID": Self.accessKey(node), "AWS_SECRET_ACCESS_KEY": "test-secret",
            "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: daemonLog(node), contents: nil)
        process.standardError = FileHandle(forWritingAtPath: daemonLog(node))
        try process.run()
        daemons.withLock { $0.append(process) }
        return process
    }

    /// Starts two daemons and waits until one leads and has every table in sync; returns both and the leader.
    func startPair() async throws -> (daemons: [Process], leader: Int) {
        let daemons = try [start(0), start(1)]
        let leader = try #require(try await oneLeader(among: [0, 1], within: .seconds(30)))
        #expect(try await settled(leader, within: .seconds(30)))
        return (daemons, leader)
    }

    func records(_ node: Int) -> [StatusRecord] {
        StatusLogReader.read(path: logPath(node)).records
    }

    /// The node's leader records, oldest first.
    func leaderEvents(_ node: Int) -> [StatusRecord] {
        records(node).filter { $0.kind == .leader }
    }

    /// Whether the node says (in its metrics) that it leads; nil when it does not answer.
    func leads(_ node: Int) async -> Bool? {
        let response = await LoopbackHTTP.request(port: ports[node], path: "/metrics")
        guard response.status == 200 else { return nil }
        return response.body.split(separator: "\n").contains {
            $0.hasPrefix("tablekeeper_leader{") && $0.hasSuffix(" 1.0")
        }
    }

    /// The nodes among `nodes` that say they lead.
    func leaders(among nodes: [Int]) async -> [Int] {
        var leading: [Int] = []
        for node in nodes where await leads(node) == true { leading.append(node) }
        return leading
    }

    /// Waits until exactly one of `nodes` leads; returns it.
    func oneLeader(among nodes: [Int], within timeout: Duration) async throws -> Int? {
        var found: Int?
        _ = try await Scenario.waitUntil(timeout) {
            let leading = await leaders(among: nodes)
            found = leading.count == 1 ? leading[0] : nil
            return found != nil
        }
        return found
    }

    /// State-changing calls on the managed tables (not the lease's), from the journal.
    func changes(since: Int = 0, caller: String? = nil) async throws -> [FidelityEndpoint.Entry] {
        let mutating: Set = [
            "CreateTable", "UpdateTable", "DeleteTable", "TagResource", "UntagResource", "UpdateTimeToLive",
            "UpdateContinuousBackups",
        ]
        return try await aws.journal(since: since).filter { entry in
            mutating.contains(entry.operation) && entry.table != Self.leaseTable
                && (caller == nil || entry.caller == caller)
        }
    }

    /// The journal's last sequence number.
    func mark() async throws -> Int {
        try await aws.journal().map(\.seq).max() ?? 0
    }

    /// Pushes a commit that turns deletion protection on for `table`: one UpdateTable to apply.
    func protect(_ table: String) async throws {
        try await git.commit(
            files: ["manifests/\(table).json": Scenario.manifest(table, extra: #", "deletionProtection": true"#)],
            message: "protect \(table)"
        )
    }

    /// Waits until every table is in sync in the log of `node`, after the newest revision.
    func settled(_ node: Int, within timeout: Duration) async throws -> Bool {
        try await Scenario.waitUntil(timeout) {
            let summary = StatusSummary(records: records(node))
            return tables.allSatisfy { table in summary.tables.contains { $0.table == table && $0.outcome == "in_sync" }
            }
        }
    }
}
