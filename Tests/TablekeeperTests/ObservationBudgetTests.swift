import Foundation
import StatusLog
import TestSupport
import Testing

/// The daemon's reads against the fidelity endpoint at DynamoDB's real per-operation rates.
@Suite("observation budget end to end")
struct ObservationBudgetTests {
    static func names(_ count: Int) -> [String] {
        (0..<count).map { _ in Scenario.unique("budget") }
    }

    static func manifests(_ names: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: names.map { ("manifests/\($0).json", Scenario.manifest($0)) })
    }

    @Test("steady cycles read DescribeTable and a share of the sweep; drift is seen within its bounds; no throttling")
    func steadyState() async throws {
        let tables = Self.names(12)
        let scenario = try await Scenario(
            files: Self.manifests(tables),
            interval: "1s",
            awsExtra: #", "driftSweepInterval": "10s""#
        )
        let daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        func settled() async throws -> Bool {
            let outcomes = try await scenario.outcomes()
            return tables.allSatisfy { outcomes[$0] == "in_sync" }
        }
        #expect(try await Scenario.waitUntil(.seconds(60)) { try await settled() })
        // Two sweep intervals of steady cycles.
        let start = scenario.records().filter { $0.kind == .cycle }.count
        try await Task.sleep(for: .seconds(20))
        let steady = scenario.records().filter { $0.kind == .cycle }.dropFirst(start).filter { $0.trigger == "poll" }
        #expect(steady.count >= 8)
        let total = steady.reduce(0) { $0 + ($1.requests ?? [:]).values.reduce(0, +) }
        let perTable = Double(total) / Double(steady.count * tables.count)
        #expect(perTable <= 1.5, "\(perTable) requests per table per cycle: \(steady.map { $0.requests ?? [:] })")
        #expect(steady.allSatisfy { ($0.requests?["DescribeTable"] ?? 0) == tables.count })
        // The sweep reads every table within the interval, a share per cycle, never all at once.
        let ttlReads = steady.map { $0.requests?["DescribeTimeToLive"] ?? 0 }
        #expect(ttlReads.reduce(0, +) >= tables.count)
        #expect(ttlReads.max() ?? 0 < tables.count, "\(ttlReads)")
        #expect(steady.allSatisfy { ($0.requests?["ListTagsOfResource"] ?? 0) == 0 })
        #expect(steady.contains { ($0.requests?["GetResources"] ?? 0) > 0 })
        // Auto scaling is read in bulk on the sweep (two pages, targets and policies), never every cycle.
        let scalingReads = steady.map { $0.requests?["DescribeScalableTargets"] ?? 0 }
        #expect(scalingReads.reduce(0, +) <= 3, "\(scalingReads)")

        // Drift that DescribeTable shows (a stream enabled by hand) is seen within an interval; TTL or PITR within
        // the sweep plus one.
        let (first, second) = (tables[0], tables[1])
        let changed = ContinuousClock.now
        try await scenario.boto(
            """
            ddb.update_table(TableName="\(first)", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
            ddb.update_continuous_backups(TableName="\(second)",
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
            """
        )
        func fixed(_ table: String, _ field: String) -> Bool {
            scenario.records().contains { record in
                record.table == table && record.changes?.contains { $0.field == field } == true
            }
        }
        #expect(
            try await Scenario.waitUntil(.seconds(8)) { fixed(first, "stream") },
            "\(scenario.records().suffix(8).map(\.jsonLine))"
        )
        #expect(ContinuousClock.now - changed < .seconds(8))
        #expect(try await Scenario.waitUntil(.seconds(20)) { fixed(second, "pointInTimeRecovery") })
        #expect(ContinuousClock.now - changed < .seconds(20))
        let metrics = await LoopbackHTTP.request(port: scenario.httpPort, path: "/metrics").body
        let throttled = metrics.split(separator: "\n").first { $0.hasPrefix("tablekeeper_aws_throttled_total ") }
        #expect(throttled.map { Double($0.split(separator: " ").last ?? "") == 0 } ?? true, "\(metrics)")
        #expect(!metrics.contains("ThrottlingException"))
    }

    @Test("a pending table is requeued alone: the others are not read again every 5 s")
    func requeueAlone() async throws {
        let tables = Self.names(6)
        let scenario = try await Scenario(files: Self.manifests(tables), interval: "1h")
        let daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(
            try await Scenario.waitUntil(.seconds(60)) {
                let outcomes = try await scenario.outcomes()
                return tables.allSatisfy { outcomes[$0] == "in_sync" }
            }
        )
        // A GSI that backfills for a while on one table.
        try await scenario.aws.set(["gsiCreateDelay": 15.0])
        let slow = tables[0]
        try await scenario.git.commit(
            files: ["manifests/\(slow).json": Scenario.manifest(slow, indexes: ["gsi-status", "gsi-owner"])],
            message: "a second index"
        )
        let before = scenario.records().filter { $0.kind == .cycle }.count
        let hook = try await scenario.webhook("{}")
        #expect(hook.status == 202)
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                scenario.records().filter { $0.kind == .cycle }.dropFirst(before).filter { $0.trigger == "requeue" }
                    .count >= 2
            }
        )
        let requeues = scenario.records().filter { $0.kind == .cycle }.dropFirst(before).filter {
            $0.trigger == "requeue"
        }
        #expect(requeues.allSatisfy { ($0.requests?["DescribeTable"] ?? 0) == 1 }, "\(requeues.map(\.requests))")
        #expect(requeues.allSatisfy { $0.counts?["pending"] == 1 && $0.counts?["in_sync"] == 0 })
    }

    @Test("GetResources denied: said once, with the permission to add, and tags are read one table at a time")
    func taggingDenied() async throws {
        let tables = Self.names(3)
        let scenario = try await Scenario(files: Self.manifests(tables))
        try await scenario.aws.fault("GetResources", kind: "denied", count: 1000)
        let settled = try await scenario.runUntilSettled()
        #expect(settled.status == 0, "\(settled.stdout)\(settled.stderr)")
        // plan reads every table's tags: in bulk, refused, then one at a time.
        let plan = try await scenario.tablekeeper(["plan", "--config", scenario.configPath])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stderr.components(separatedBy: "allow tag:GetResources").count == 2, "\(plan.stderr)")
        let listed = try await scenario.aws.journal(operation: "ListTagsOfResource")
        #expect(listed.count >= tables.count)
    }
}
