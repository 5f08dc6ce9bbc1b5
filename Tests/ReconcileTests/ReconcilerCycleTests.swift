import DynamoDBControl
import Foundation
import GitSource
import Logging
import Manifest
import Reconcile
import TablekeeperConfig
import Testing

/// Whole cycles of the reconciler over a snapshot, against the recording test double.
@Suite("Reconciler cycles")
struct ReconcilerCycleTests {
    static let snapshot = SourceSnapshot(
        revision: String(repeating: "a", count: 40),
        author: "Test Operator",
        time: 0,
        summary: "two tables",
        tree: String(repeating: "b", count: 40),
        files: ["alpha", "beta"].map { name in
            SnapshotFile(
                path: "manifests/\(name).json",
                blob: name,
                bytes: Array(#"{"tableName": "\#(name)", "partitionKey": {"name": "id", "type": "S"}}"#.utf8)
            )
        },
        problems: [:]
    )

    func reconciler(_ control: RecordingControl) -> Reconciler {
        Reconciler(
            settings: .init(policy: .init(), defaults: .init(region: "us-east-1")),
            controls: { _ in control },
            statusLog: nil,
            logger: Logger(label: "test")
        )
    }

    @Test("missing tables are created; once a shutdown begins no table is changed and the skipped ones are counted")
    func shutdown() async {
        let running = RecordingControl()
        let report = await reconciler(running).runCycle(poll: .snapshot(Self.snapshot, event: nil), trigger: "poll")
        #expect(running.calls.filter { $0 == "CreateTable" }.count == 2)
        #expect(report.counts["created"] == 2)
        #expect(report.skippedAtShutdown == 0)

        let stopping = RecordingControl()
        let stopped = await reconciler(stopping).runCycle(
            poll: .snapshot(Self.snapshot, event: nil),
            trigger: "poll",
            shouldStop: { true }
        )
        #expect(!stopping.calls.contains("CreateTable"))
        #expect(stopped.skippedAtShutdown == 2)
        #expect(stopped.counts["created"] == 0)
    }

    @Test("a cycle that applies one change and flags another reads the table's TTL, PITR and tags again next cycle")
    func flaggedWithAction() async throws {
        let manifest = #"""
            {"tableName": "alpha", "partitionKey": {"name": "id", "type": "S"}, "pointInTimeRecovery": true,
             "encryption": {"type": "KMS"}}
            """#
        let snapshot = SourceSnapshot(
            revision: String(repeating: "c", count: 40),
            author: "Test Operator",
            time: 0,
            summary: "one table",
            tree: String(repeating: "d", count: 40),
            files: [SnapshotFile(path: "manifests/alpha.json", blob: "alpha", bytes: Array(manifest.utf8))],
            problems: [:]
        )
        let table = try JSONDecoder().decode(
            TableDescription.self,
            from: Data(
                #"""
                {"TableName": "alpha", "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/alpha",
                 "TableStatus": "ACTIVE", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                 "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                 "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}}
                """#.utf8
            )
        )
        let control = RecordingControl()
        control.describeAfterUpdate(table)
        control.answerTags(with: [TagShape(Key: "tablekeeper:managed", Value: "true")])
        let reconciler = reconciler(control)
        // Encryption owned -> KMS is flagged; point-in-time recovery is turned on in the same cycle.
        let first = await reconciler.runCycle(poll: .snapshot(snapshot, event: nil), trigger: "poll")
        #expect(first.counts["flagged"] == 1)
        #expect(control.calls.filter { $0 == "UpdateContinuousBackups" }.count == 1)
        _ = await reconciler.runCycle(poll: .snapshot(snapshot, event: nil), trigger: "poll")
        // Not planned again from the backups read before the change.
        #expect(control.calls.filter { $0 == "DescribeContinuousBackups" }.count == 2)
        #expect(control.calls.filter { $0 == "DescribeTimeToLive" }.count == 2)
    }
}
