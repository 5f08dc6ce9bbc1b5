import AsyncHTTPClient
import DaemonCore
import FoundationEssentials
import Logging
import NIOCore
import NIOHTTP1
import Reconcile
import SystemSupport
import TablekeeperConfig

/// Sets a status on each reconciled revision's commit: `pending` while changes are in flight, `success` when every
/// table is in sync, `failure` with the counts and the first problem. Sent only when that summary changes; the
/// latest one replaces one not yet sent, retried with backoff on its own task, never holding a cycle.
actor CommitStatusReporter {
    let settings: CommitStatusSettings
    let token: String
    let http: HTTPClient
    let logger: Logger
    /// Each table's latest result (`region/table`), across requeue cycles.
    private var latest: [String: TableResult] = [:]
    private var sent: (revision: String, summary: CommitStatusSummary)?
    private var pending:
        (revision: String, summary: CommitStatusSummary, attempts: Int, notBefore: ContinuousClock.Instant)?
    private var delivery: Task<Void, Never>?

    init(settings: CommitStatusSettings, token: String, http: HTTPClient, logger: Logger) {
        self.settings = settings
        self.token = token
        self.http = http
        self.logger = logger
    }

    /// Reads the token file; a problem as one line.
    static func token(_ settings: CommitStatusSettings) -> Result<String, WebhookSecret.Problem> {
        guard let data = FileManager.default.contents(atPath: settings.tokenFile) else {
            return .failure(.init(description: "cannot read source.commitStatus.tokenFile \(settings.tokenFile)"))
        }
        let token = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        guard !token.isEmpty, !token.contains(where: \.isNewline) else {
            return .failure(.init(description: "source.commitStatus.tokenFile \(settings.tokenFile) holds no token"))
        }
        return .success(token)
    }

    func start() {
        guard delivery == nil else { return }
        delivery = Task { [self] in await deliver() }
    }

    /// A cycle finished; `full` when it looked at every table (a requeue looks at those with work left).
    func cycleFinished(_ report: CycleReport, full: Bool) {
        guard let revision = report.revision, report.sourceRejection == nil else { return }
        if full { latest = [:] }
        for result in report.results { latest["\(result.region)/\(result.table)"] = result }
        let summary = CommitStatusSummary.summarize(Array(latest.values))
        if let sent, sent.revision == revision, sent.summary == summary { return }
        if let pending, pending.revision == revision, pending.summary == summary { return }
        pending = (revision, summary, 0, .now)
    }

    private func take() -> (revision: String, summary: CommitStatusSummary, attempts: Int)? {
        guard let next = pending, next.notBefore <= .now else { return nil }
        pending = nil
        return (next.revision, next.summary, next.attempts)
    }

    private func finished(_ revision: String, _ summary: CommitStatusSummary, attempts: Int, problem: String?) {
        guard let problem else {
            sent = (revision, summary)
            return
        }
        // A newer summary replaces a failed one; else it is tried again after 1 s doubling to 5 minutes.
        guard pending == nil else { return }
        if attempts + 1 >= 8 {
            logger.warning("commit status not set", metadata: ["revision": "\(revision)", "error": "\(problem)"])
            return
        }
        pending = (revision, summary, attempts + 1, .now + .seconds(min(300, 1 << min(attempts, 9))))
    }

    private func deliver() async {
        while !Task.isCancelled {
            guard let next = take() else {
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            let problem = await send(revision: next.revision, summary: next.summary)
            finished(next.revision, next.summary, attempts: next.attempts, problem: problem)
        }
    }

    nonisolated func send(revision: String, summary: CommitStatusSummary) async -> String? {
        let shape = CommitStatusRequest.make(
            provider: settings.provider.rawValue,
            apiUrl: settings.apiUrl,
            repository: settings.repository,
            token: token,
            sha: revision,
            summary: summary,
            context: settings.context
        )
        var request = HTTPClientRequest(url: shape.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tablekeeper")
        for (name, value) in shape.headers { request.headers.add(name: name, value: value) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        request.body = .bytes(ByteBuffer(bytes: Array((try? encoder.encode(shape.body)) ?? Data())))
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try? await response.body.collect(upTo: 64 * 1024)
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return nil }
            // GitLab answers 400 "Cannot transition status" when the state is already set: nothing to do.
            let text = body.map { String(buffer: $0) } ?? ""
            if settings.provider == .gitlab, code == 400, text.contains("Cannot transition status") { return nil }
            return "HTTP \(code)"
        } catch {
            return "\(error)"
        }
    }
}
