import AsyncHTTPClient
import DaemonCore
import FoundationEssentials
import GitSource
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Reconcile
import StatusLog
import SystemSupport
import TablekeeperConfig

/// The client for notifications and commit statuses: no redirects, so a signed body or a token is never sent on
/// to another host (or from https to http).
enum OutboundHTTP {
    static let client = HTTPClient(
        eventLoopGroup: MultiThreadedEventLoopGroup(numberOfThreads: 1),
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5))
        )
    )
}

/// One notification, as the webhook body carries it.
struct Notification: Sendable, Codable, Equatable {
    /// A change, as the status log records it.
    struct Change: Sendable, Codable, Equatable {
        var field: String
        var from: String
        var to: String
        var action: String
        var reason: String?

        init(_ record: ChangeRecord) {
            (field, from, to, action, reason) = (record.field, record.from, record.to, record.action, record.reason)
        }
    }

    var event: String
    var table: String?
    var region: String?
    var outcome: String?
    var changes: [Change]
    var message: String
    var revision: String?
    var time: String

    /// The Slack line: the table, the outcome and the advice.
    var slackText: String {
        let subject = table.map { "\($0)\(region.map { " (\($0))" } ?? "")" } ?? "source"
        let line = "tablekeeper: \(subject) \(outcome ?? event): \(message)"
        return Sanitizer.line(line)
    }
}

/// Tells the configured receivers about outcomes that change (never once per cycle): each receiver has its own
/// bounded queue (the oldest dropped first, counted) and its own delivery task, retried with exponential backoff,
/// so a slow or dead receiver never delays a cycle or another receiver.
actor NotificationCenter {
    struct Receiver: Sendable {
        var configuration: NotifyReceiver
        var url: String
        var secret: [UInt8]?
    }

    struct Pending: Sendable {
        var notification: Notification
        var attempts = 0
        var notBefore = ContinuousClock.now
    }

    static let capacity = 256
    static let maximumAttempts = 8
    static let requestTimeout: TimeAmount = .seconds(10)

    let receivers: [Receiver]
    let http: HTTPClient
    let logger: Logger
    let dropped: @Sendable () -> Void
    private var queues: [[Pending]]
    /// What was last said of each table (`region/table`): outcome and changes.
    private var told: [String: String] = [:]
    private var toldSource: String?
    private var deliveries: [Task<Void, Never>] = []

    init(receivers: [Receiver], http: HTTPClient, logger: Logger, dropped: @escaping @Sendable () -> Void) {
        self.receivers = receivers
        self.http = http
        self.logger = logger
        self.dropped = dropped
        self.queues = Array(repeating: [], count: receivers.count)
    }

    /// Reads each receiver's URL and secret files; one line per problem.
    static func receivers(_ configuration: [NotifyReceiver]) -> Result<[Receiver], WebhookSecret.Problem> {
        var result: [Receiver] = []
        for (offset, receiver) in configuration.enumerated() {
            var url = receiver.url ?? ""
            if let file = receiver.urlFile {
                guard let data = FileManager.default.contents(atPath: file) else {
                    return .failure(.init(description: "cannot read notify[\(offset)].urlFile \(file)"))
                }
                url = String(decoding: data, as: UTF8.self).trimmingWhitespace()
                guard NotifyReceiver.isAllowed(url: url) else {
                    return .failure(
                        .init(
                            description: "notify[\(offset)].urlFile \(file) holds no https URL (http only to loopback)"
                        )
                    )
                }
            }
            var secret: [UInt8]?
            if let file = receiver.secretFile {
                switch WebhookSecret.read(file) {
                case .success(let bytes): secret = bytes
                case .failure(let problem):
                    return .failure(.init(description: "notify[\(offset)]: \(problem.description)"))
                }
            }
            result.append(Receiver(configuration: receiver, url: url, secret: secret))
        }
        return .success(result)
    }

    /// Starts one delivery task per receiver.
    func start() {
        guard deliveries.isEmpty else { return }
        for index in receivers.indices {
            deliveries.append(Task { [self] in await deliver(index) })
        }
    }

    /// Stops delivering (what is queued is dropped with the process).
    func stop() {
        for task in deliveries { task.cancel() }
        deliveries = []
    }

    /// What the status log says was last recorded of each table, so a restart does not tell it all again.
    func seed(_ records: [StatusRecord]) {
        for record in records where record.kind == .table {
            guard let table = record.table, let region = record.region, let outcome = record.outcome else { continue }
            told["\(region)/\(table)"] = Self.state(outcome, record.changes ?? [])
        }
    }

    static func state(_ outcome: String, _ changes: [ChangeRecord]) -> String {
        "\(outcome)|\(changes.map { "\($0.field)>\($0.to)" }.joined(separator: ","))"
    }

    /// The notifications of a finished cycle: tables whose outcome or changes changed, and the source's state.
    func cycleFinished(_ report: CycleReport) {
        let time = StatusRecord.timestamp(Date())
        for result in report.results {
            let key = "\(result.region)/\(result.table)"
            let changes = result.changes.map(\.record)
            let state = Self.state(result.outcome.rawValue, changes)
            guard told[key] != state else { continue }
            told[key] = state
            guard let event = NotifyReceiver.Event(rawValue: result.outcome.rawValue) else { continue }
            enqueue(
                Notification(
                    event: event.rawValue,
                    table: result.table,
                    region: result.region,
                    outcome: result.outcome.rawValue,
                    changes: changes.map(Notification.Change.init),
                    message: result.error.map { "\(result.message): \($0)" } ?? result.message,
                    revision: report.revision,
                    time: time
                ),
                event: event
            )
        }
        let source = report.sourceError?.message ?? report.sourceRejection.map { "\($0.outcome): \($0.detail)" }
        if source != toldSource {
            toldSource = source
            if let source {
                enqueue(
                    Notification(
                        event: "source",
                        outcome: report.sourceError != nil ? "fetch_failed" : report.sourceRejection?.outcome,
                        changes: [],
                        message: source,
                        revision: report.revision,
                        time: time
                    ),
                    event: .source
                )
            }
        }
    }

    /// This daemon became leader, or stopped being one.
    func leaderChanged(identity: String, isLeader: Bool) {
        enqueue(
            Notification(
                event: "leader",
                outcome: isLeader ? "acquired" : "lost",
                changes: [],
                message: isLeader ? "\(identity) leads" : "\(identity) no longer leads",
                time: StatusRecord.timestamp(Date())
            ),
            event: .leader
        )
    }

    private func enqueue(_ notification: Notification, event: NotifyReceiver.Event) {
        for index in receivers.indices where receivers[index].configuration.events.contains(event) {
            if queues[index].count >= Self.capacity {
                queues[index].removeFirst()
                dropped()
            }
            queues[index].append(Pending(notification: notification))
        }
    }

    /// The next notification due for a receiver, if any.
    private func take(_ index: Int) -> Pending? {
        guard let first = queues[index].first, first.notBefore <= .now else { return nil }
        queues[index].removeFirst()
        return first
    }

    /// Puts a failed notification back with its backoff (1 s doubling, at most 5 minutes), or drops it after the
    /// last attempt.
    private func retry(_ index: Int, _ pending: Pending, error: String) {
        var pending = pending
        pending.attempts += 1
        guard pending.attempts < Self.maximumAttempts else {
            dropped()
            logger.warning(
                "notification dropped after \(Self.maximumAttempts) attempts",
                metadata: ["receiver": "\(receivers[index].configuration.kind.rawValue)", "error": "\(error)"]
            )
            return
        }
        pending.notBefore = .now + .seconds(min(300, 1 << min(pending.attempts - 1, 9)))
        queues[index].insert(pending, at: 0)
    }

    private func deliver(_ index: Int) async {
        let receiver = receivers[index]
        while !Task.isCancelled {
            guard let pending = take(index) else {
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            let problem = await send(pending.notification, to: receiver)
            if let problem { retry(index, pending, error: problem) }
        }
    }

    /// POSTs one notification; the problem, nil when the receiver took it (2xx).
    nonisolated func send(_ notification: Notification, to receiver: Receiver) async -> String? {
        var request = HTTPClientRequest(url: receiver.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tablekeeper")
        let body: [UInt8]
        switch receiver.configuration.kind {
        case .webhook:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            body = Array((try? encoder.encode(notification)) ?? Data())
            if let secret = receiver.secret {
                request.headers.add(
                    name: "X-Tablekeeper-Signature-256",
                    value: WebhookSignature.sign(body: body, secret: secret)
                )
            }
            request.headers.add(name: "X-Tablekeeper-Event", value: notification.event)
        case .slack:
            body = Array((try? JSONEncoder().encode(["text": notification.slackText])) ?? Data())
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: Self.requestTimeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(Int(response.status.code)) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(error)"
        }
    }
}
