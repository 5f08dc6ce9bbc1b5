import FoundationEssentials
public import Reconcile

/// A commit status's state, as Tablekeeper reports a revision.
public enum CommitState: String, Sendable, Equatable {
    /// Changes are in flight.
    case pending
    /// Every table is in sync.
    case success
    /// Something is flagged, invalid or failed.
    case failure
}

/// What a revision's commit status says: its state and a description of at most 140 characters (GitHub's limit).
public struct CommitStatusSummary: Sendable, Equatable {
    /// The state.
    public var state: CommitState
    /// E.g. `2 flagged, 1 invalid: sentinel-requests encryption KMS -> DEFAULT`.
    public var description: String

    /// Creates a summary.
    public init(state: CommitState, description: String) {
        self.state = state
        self.description = description
    }

    /// The summary of each table's latest outcome.
    public static func summarize(_ results: [TableResult]) -> CommitStatusSummary {
        // A suspended table with changes held back has not applied the revision: not a success.
        let attention = results.filter {
            $0.outcome.needsAttention || ($0.outcome == .suspended && !$0.changes.isEmpty)
        }
        if !attention.isEmpty {
            let counts = ["flagged", "invalid", "failed", "suspended"].compactMap { outcome -> String? in
                let count = attention.count { $0.outcome.rawValue == outcome }
                return count == 0 ? nil : "\(count) \(outcome)"
            }
            let first = attention.sorted { ($0.region, $0.table) < ($1.region, $1.table) }[0]
            let detail =
                first.changes.first { $0.action == .flag }.map { "\($0.field) \($0.from) -> \($0.to)" }
                ?? first.error.map { $0.split(separator: "\n").first.map(String.init) ?? $0 } ?? first.message
            return CommitStatusSummary(
                state: .failure,
                description: limit("\(counts.joined(separator: ", ")): \(first.table) \(detail)")
            )
        }
        let busy = results.count { [.pending, .created, .updated].contains($0.outcome) }
        if busy > 0 {
            return CommitStatusSummary(state: .pending, description: "\(busy) of \(results.count) tables changing")
        }
        return CommitStatusSummary(state: .success, description: "\(results.count) tables in sync")
    }

    static func limit(_ text: String) -> String {
        text.count <= 140 ? text : String(text.prefix(139)) + "…"
    }
}

/// One commit-status request, in each provider's documented shape.
public struct CommitStatusRequest: Sendable, Equatable {
    /// The URL POSTed to.
    public var url: String
    /// The headers besides the content type.
    public var headers: [String: String]
    /// The JSON body.
    public var body: [String: String]

    /// GitHub `POST /repos/{owner}/{repo}/statuses/{sha}` (`Authorization: Bearer`), GitLab
    /// `POST /projects/{id}/statuses/{sha}` (`PRIVATE-TOKEN`, state `failed`, `name`), Gitea
    /// `POST /repos/{owner}/{repo}/statuses/{sha}` (`Authorization: token`).
    public static func make(
        provider: String,
        apiUrl: String,
        repository: String,
        token: String,
        sha: String,
        summary: CommitStatusSummary,
        context: String
    ) -> CommitStatusRequest {
        let base = apiUrl.hasSuffix("/") ? String(apiUrl.dropLast()) : apiUrl
        switch provider {
        case "gitlab":
            // The project's path URL-encoded (`group%2Fproject`), or its numeric id.
            let project = repository.utf8.map { byte -> String in
                let scalar = Character(Unicode.Scalar(byte))
                return scalar.isASCII && (scalar.isLetter || scalar.isNumber || "-._~".contains(scalar))
                    ? String(scalar) : "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }.joined()
            return CommitStatusRequest(
                url: "\(base)/projects/\(project)/statuses/\(sha)",
                headers: ["PRIVATE-TOKEN": token],
                body: [
                    "state": summary.state == .failure ? "failed" : summary.state.rawValue, "name": context,
                    "description": summary.description,
                ]
            )
        case "gitea":
            return CommitStatusRequest(
                url: "\(base)/repos/\(repository)/statuses/\(sha)",
                headers: ["Authorization": "token \(token)"],
                body: ["state": summary.state.rawValue, "context": context, "description": summary.description]
            )
        default:
            return CommitStatusRequest(
                url: "\(base)/repos/\(repository)/statuses/\(sha)",
                headers: [
                    "Authorization": "Bearer \(token)", "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": "2022-11-28",
                ],
                body: ["state": summary.state.rawValue, "context": context, "description": summary.description]
            )
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
