import Foundation
import StatusLog
import TestSupport
import Testing

/// Several daemons with one configuration: one leads through the DynamoDB lease, the others stand by, and a
/// failover never makes a change twice. Leases of 2 s renewed every 500 ms.
@Suite("high availability", .serialized)
struct HighAvailabilityTests {
    /// Waits until `table` has had exactly one UpdateTable, then a while longer to see that no second one comes.
    static func appliedOnce(_ cluster: Cluster, _ table: String, within timeout: Duration) async throws -> Int {
        _ = try await Scenario.waitUntil(timeout) {
            try await cluster.changes().contains { $0.operation == "UpdateTable" && $0.table == table }
        }
        try await Task.sleep(for: .seconds(3))
        return try await cluster.changes().filter { $0.operation == "UpdateTable" && $0.table == table }.count
    }

    @Test("two daemons: one leads, the standby names it; SIGKILL of the leader: the standby leads within 2 leases")
    func killover() async throws {
        let cluster = try await Cluster(nodes: 2)
        let (daemons, first) = try await cluster.startPair()
        let standby = 1 - first
        // The standby fetches git but neither observes nor changes tables; it says who leads.
        let ready = await LoopbackHTTP.request(port: cluster.ports[standby], path: "/readyz")
        #expect(ready.status == 200)
        #expect(ready.body.contains("standby, leader"), "\(ready.body)")
        let leaderIdentity = try #require(cluster.leaderEvents(first).last?.identity)
        #expect(ready.body.contains(leaderIdentity))
        // (Both may have raced to make the lease table and its first record; only one did.)
        let standbyCalls = try await cluster.aws.journal().filter { $0.caller == Cluster.accessKey(standby) }
        #expect(standbyCalls.allSatisfy { $0.table == Cluster.leaseTable }, "\(standbyCalls.map(\.operation))")
        #expect(cluster.records(standby).allSatisfy { $0.kind == .leader })
        // Every record the leader writes carries the fence number of a lease it held (under load a late renewal can
        // lapse the lease, and the daemon takes its own record back with the next number).
        let held = Set(
            cluster.leaderEvents(first).filter { ["acquired", "renewed-after-gap"].contains($0.event) }.compactMap(
                \.fence
            )
        )
        let fence = try #require(held.max())
        #expect(cluster.records(first).filter { $0.kind != .leader }.allSatisfy { $0.fence.map(held.contains) == true })

        // A commit is pushed as the leader dies.
        try await cluster.protect(cluster.tables[0])
        let killed = ContinuousClock.now
        kill(daemons[first].processIdentifier, SIGKILL)
        #expect(try await Scenario.waitUntil(.seconds(10)) { await cluster.leads(standby) == true })
        let failover = ContinuousClock.now - killed
        #expect(failover <= Cluster.leaseDuration * 2 + .milliseconds(500), "failover took \(failover)")
        let metrics = await LoopbackHTTP.request(port: cluster.ports[standby], path: "/metrics").body
        let changes = metrics.split(separator: "\n").first { $0.hasPrefix("tablekeeper_leader_changes_total ") }
        #expect(changes.flatMap { Double($0.split(separator: " ").last ?? "") }.map { $0 >= 1 } == true, "\(metrics)")
        let acquired = try #require(cluster.leaderEvents(standby).last { $0.event == "acquired" })
        #expect((acquired.fence ?? 0) > fence)
        #expect(try await Self.appliedOnce(cluster, cluster.tables[0], within: .seconds(20)) == 1)
        // status names the leader; read on the dead leader's log, it warns.
        let status = try await ProcessRunner.tablekeeper(
            ["status", "--config", cluster.configPath(first)],
            environment: ["AWS_ACCESS_KEY_ID": "AKIDREADER", "AWS_SECRET_ACCESS_KEY": "x"]
        )
        let newIdentity = try #require(acquired.identity)
        #expect(status.stdout.hasPrefix("leader: \(newIdentity) since "), "\(status.stdout)")
        #expect(status.stderr.contains("does not lead"), "\(status.stderr)")
    }

    @Test("SIGSTOP of the leader for 3 leases: the standby takes over; after SIGCONT the old leader changes nothing")
    func paused() async throws {
        let cluster = try await Cluster(nodes: 2)
        let (daemons, first) = try await cluster.startPair()
        let standby = 1 - first
        kill(daemons[first].processIdentifier, SIGSTOP)
        try await cluster.protect(cluster.tables[1])
        try await Task.sleep(for: Cluster.leaseDuration * 3)
        #expect(await cluster.leads(standby) == true)
        let resumed = try await cluster.mark()
        let before = cluster.leaderEvents(first).count
        kill(daemons[first].processIdentifier, SIGCONT)
        #expect(
            try await Scenario.waitUntil(.seconds(10)) {
                let events = cluster.leaderEvents(first).dropFirst(before).map(\.event)
                return events.contains("lost") && events.last == "standby"
            },
            "\(cluster.leaderEvents(first).map(\.jsonLine))"
        )
        #expect(try await Scenario.waitUntil(.seconds(5)) { await cluster.leads(first) == false })
        try await Task.sleep(for: .seconds(2))
        let late = try await cluster.changes(since: resumed, caller: Cluster.accessKey(first))
        #expect(late.isEmpty, "\(late.map(\.operation))")
        #expect(try await Self.appliedOnce(cluster, cluster.tables[1], within: .seconds(20)) == 1)
        #expect(await cluster.leaders(among: [0, 1]) == [standby])
    }

    @Test("SIGTERM lets the lease go: the standby takes over within one renewal")
    func handover() async throws {
        let cluster = try await Cluster(nodes: 2)
        let (daemons, first) = try await cluster.startPair()
        let standby = 1 - first
        // A look of the standby is at most one renewal away; the stop itself takes a moment.
        try await Task.sleep(for: .seconds(1))
        try await cluster.protect(cluster.tables[0])
        let stopped = ContinuousClock.now
        kill(daemons[first].processIdentifier, SIGTERM)
        #expect(try await Scenario.waitUntil(.seconds(10)) { await cluster.leads(standby) == true })
        let handover = ContinuousClock.now - stopped
        #expect(handover < Cluster.renewEvery + .seconds(1), "handover took \(handover)")
        #expect(cluster.leaderEvents(first).last?.message == "released at shutdown")
        daemons[first].waitUntilExit()
        #expect(daemons[first].terminationStatus == 0)
        #expect(try await Self.appliedOnce(cluster, cluster.tables[0], within: .seconds(20)) == 1)
    }

    @Test("the lease table throttled: the leader steps down once its lease runs out, says so once, leads again after")
    func throttled() async throws {
        let cluster = try await Cluster(nodes: 1)
        try cluster.start(0)
        #expect(try await cluster.oneLeader(among: [0], within: .seconds(30)) == 0)
        #expect(try await cluster.settled(0, within: .seconds(30)))
        let tiny = 0.001
        try await cluster.aws.set(["rates": ["GetItem": tiny, "PutItem": tiny, "UpdateItem": tiny]])
        #expect(try await Scenario.waitUntil(.seconds(6)) { await cluster.leads(0) == false })
        // Several renewals and reads fail while it is throttled; nothing changes tables meanwhile.
        let mark = try await cluster.mark()
        try await cluster.protect(cluster.tables[0])
        try await Task.sleep(for: .seconds(4))
        #expect(try await cluster.changes(since: mark).isEmpty)
        try await cluster.aws.set(["rates": ["GetItem": 0, "PutItem": 0, "UpdateItem": 0]])
        #expect(try await Scenario.waitUntil(.seconds(6)) { await cluster.leads(0) == true })
        #expect(try await Self.appliedOnce(cluster, cluster.tables[0], within: .seconds(20)) == 1)
        let log = try String(contentsOfFile: cluster.daemonLog(0), encoding: .utf8)
        // Said once per failing call (renew, read, take), never once per renewal.
        let warnings = log.split(separator: "\n").filter { $0.contains("could not") }.map { line in
            String(line[line.range(of: "could not")!.lowerBound...])
        }
        #expect(!warnings.isEmpty && Set(warnings).count == warnings.count, "\(log)")
        #expect(log.contains("answers again"))
        let events = cluster.leaderEvents(0).map { $0.event ?? "" }
        #expect(events.suffix(2) == ["lost", "renewed-after-gap"], "\(events)")
    }

    @Test("three daemons started at once: one leader, one lease table")
    func threeAtOnce() async throws {
        let cluster = try await Cluster(nodes: 3)
        for node in 0..<3 { try cluster.start(node) }
        let leader = try #require(try await cluster.oneLeader(among: [0, 1, 2], within: .seconds(30)))
        try await Task.sleep(for: .seconds(3))
        #expect(await cluster.leaders(among: [0, 1, 2]) == [leader])
        let created = try await cluster.aws.journal(operation: "CreateTable").filter {
            $0.table == Cluster.leaseTable && $0.status == 200
        }
        #expect(created.count == 1)
        let acquisitions = (0..<3).flatMap { cluster.leaderEvents($0) }.filter { $0.event == "acquired" }
        #expect(acquisitions.count == 1, "\(acquisitions.map(\.jsonLine))")
        // A one-off run beside them would change tables without the lease: refused.
        let once = try await ProcessRunner.tablekeeper(
            ["run", "--once", "--config", cluster.configPath(0)],
            environment: ["AWS_ACCESS_KEY_ID": "AKIDONCE", "AWS_SECRET_ACCESS_KEY": "x"]
        )
        #expect(once.status == 1)
        #expect(once.stderr.contains("beside the elected leader"), "\(once.stderr)")
    }
}
