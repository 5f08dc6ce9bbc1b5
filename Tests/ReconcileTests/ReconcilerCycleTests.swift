import DynamoDBControl
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
}
