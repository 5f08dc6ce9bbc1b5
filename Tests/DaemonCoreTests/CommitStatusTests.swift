import DaemonCore
import Reconcile
import Testing

@Suite("commit status")
struct CommitStatusTests {
    static func result(_ table: String, _ outcome: Outcome, changes: [Change] = [], error: String? = nil) -> TableResult
    {
        TableResult(
            manifest: "m/\(table).json",
            table: table,
            region: "us-east-1",
            outcome: outcome,
            changes: changes,
            message: "m",
            error: error
        )
    }

    @Test(
        "success when all are in sync, pending while changes are in flight, failure with counts and the first problem"
    )
    func summaries() {
        #expect(
            CommitStatusSummary.summarize([Self.result("a", .inSync), Self.result("b", .inSync)])
                == CommitStatusSummary(state: .success, description: "2 tables in sync")
        )
        #expect(
            CommitStatusSummary.summarize([Self.result("a", .created), Self.result("b", .inSync)]).state == .pending
        )
        let flag = Change(field: "encryption", from: "KMS", to: "DEFAULT", action: .flag, reason: .encryption)
        let failure = CommitStatusSummary.summarize([
            Self.result("sentinel-requests", .flagged, changes: [flag]), Self.result("x", .flagged),
            Self.result("y", .invalid, error: "y.json: $.tableName: is required"), Self.result("z", .pending),
        ])
        #expect(failure.state == .failure)
        #expect(failure.description == "2 flagged, 1 invalid: sentinel-requests encryption KMS -> DEFAULT")
        let long = CommitStatusSummary.summarize([
            Self.result(String(repeating: "t", count: 200), .failed, error: "boom")
        ])
        #expect(long.description.count == 140)
    }

    @Test("each provider's documented request: path, token header and states")
    func requests() {
        let summary = CommitStatusSummary(state: .failure, description: "1 flagged: t x")
        let github = CommitStatusRequest.make(
            provider: "github",
            apiUrl: "https://api.github.com/",
            repository: "ops/tables",
            token: "T",
            sha: "abc",
            summary: summary,
            context: "tablekeeper"
        )
        #expect(github.url == "https://api.github.com/repos/ops/tables/statuses/abc")
        #expect(github.headers["Authorization"] == "Bearer T")
        #expect(github.body == ["state": "failure", "context": "tablekeeper", "description": "1 flagged: t x"])
        let gitlab = CommitStatusRequest.make(
            provider: "gitlab",
            apiUrl: "https://gitlab.example.com/api/v4",
            repository: "group/sub/tables",
            token: "T",
            sha: "abc",
            summary: summary,
            context: "tablekeeper"
        )
        #expect(gitlab.url == "https://gitlab.example.com/api/v4/projects/group%2Fsub%2Ftables/statuses/abc")
        #expect(gitlab.headers == ["PRIVATE-TOKEN": "T"])
        #expect(gitlab.body["state"] == "failed")
        #expect(gitlab.body["name"] == "tablekeeper")
        let gitea = CommitStatusRequest.make(
            provider: "gitea",
            apiUrl: "https://gitea.example.com/api/v1",
            repository: "ops/tables",
            token: "T",
            sha: "abc",
            summary: CommitStatusSummary(state: .pending, description: "1 of 2 tables changing"),
            context: "tablekeeper"
        )
        #expect(gitea.url == "https://gitea.example.com/api/v1/repos/ops/tables/statuses/abc")
        #expect(gitea.headers == ["Authorization": "token T"])
        #expect(gitea.body["state"] == "pending")
    }
}
