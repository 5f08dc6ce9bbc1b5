import DaemonCore
import FoundationEssentials
import Logging
import Reconcile
import StatusLog
import Synchronization
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// A request on the control socket.
struct ControlRequest: Codable, Sendable {
    /// `reconcile`, `suspend` or `resume`.
    var command: String
    var table: String?
    var all: Bool?
    var reason: String?
    var by: String?
    var withSource: Bool?
}

/// The answer.
struct ControlReply: Codable, Sendable {
    var ok: Bool
    var message: String
    /// For `reconcile`: the cycle that ran, and whether it (or the table asked about) left something to a person.
    var cycle: Int?
    var attention: Bool?
}

/// Suspensions from the command line, kept in a file so they survive restarts.
final class SuspensionStore: Sendable {
    let path: String
    private let state: Mutex<[String: Suspension]>

    init(path: String) {
        self.path = path
        let data = FileManager.default.contents(atPath: path) ?? Data()
        state = Mutex((try? JSONDecoder().decode([String: Suspension].self, from: data)) ?? [:])
    }

    var current: [String: Suspension] { state.withLock { $0 } }

    /// Sets or clears a suspension (`*`: all tables) and writes the file (0600, replaced atomically).
    func set(_ key: String, _ suspension: Suspension?) throws {
        let all = state.withLock { suspensions -> [String: Suspension] in
            suspensions[key] = suspension
            return suspensions
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(all)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}

/// What the control socket asks of the reconcile loop: cycles on demand, awaited by the asker.
final class ControlRequests: Sendable {
    private struct Waiter {
        var since: ContinuousClock.Instant
        var continuation: CheckedContinuation<CycleReport, Never>
    }

    private struct State {
        var fetch = false
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())

    /// Whether the next cycle fetches git first (a `--with-source` request since the last cycle); cleared.
    func takeFetch() -> Bool {
        state.withLock { state in
            defer { state.fetch = false }
            return state.fetch
        }
    }

    /// Waits for the first cycle that starts after now.
    func awaitCycle(withSource: Bool, wakeups: Wakeups) async -> CycleReport {
        let since = ContinuousClock.now
        return await withCheckedContinuation { continuation in
            state.withLock { state in
                state.fetch = state.fetch || withSource
                state.waiters.append(Waiter(since: since, continuation: continuation))
            }
            wakeups.post(.control)
        }
    }

    /// A cycle that started at `started` finished: its waiters get its report.
    func finished(_ report: CycleReport, started: ContinuousClock.Instant) {
        let ready = state.withLock { state -> [Waiter] in
            let ready = state.waiters.filter { $0.since <= started }
            state.waiters.removeAll { $0.since <= started }
            return ready
        }
        for waiter in ready { waiter.continuation.resume(returning: report) }
    }
}

/// Answers control requests for a running daemon.
struct ControlHandler: Sendable {
    let requests: ControlRequests
    let suspensions: SuspensionStore
    let wakeups: Wakeups
    /// Why this daemon cannot reconcile now (a standby), nil when it can.
    let standby: @Sendable () -> String?
    let logger: Logger

    func handle(_ line: [UInt8]) async -> [UInt8] {
        let reply: ControlReply
        if let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line)) {
            reply = await answer(request)
        } else {
            reply = ControlReply(ok: false, message: "not a control request")
        }
        return Array((try? JSONEncoder().encode(reply)) ?? Data())
    }

    func answer(_ request: ControlRequest) async -> ControlReply {
        switch request.command {
        case "reconcile":
            if let why = standby() { return ControlReply(ok: false, message: why) }
            let report = await requests.awaitCycle(withSource: request.withSource ?? false, wakeups: wakeups)
            let results = report.results.filter { request.table == nil || $0.table == request.table }
            if let table = request.table, results.isEmpty {
                return ControlReply(
                    ok: false,
                    message: "no table \(table) in cycle \(report.cycle)",
                    cycle: report.cycle
                )
            }
            let attention =
                results.contains { $0.outcome.needsAttention }
                || (request.table == nil && (report.sourceError != nil || report.sourceRejection != nil))
            return ControlReply(
                ok: true,
                message: ReconcileLoop.summary(report),
                cycle: report.cycle,
                attention: attention
            )
        case "suspend", "resume":
            guard let key = request.all == true ? "*" : request.table, !key.isEmpty else {
                return ControlReply(ok: false, message: "name a table, or all")
            }
            let suspending = request.command == "suspend"
            let reason = request.reason ?? ""
            if suspending, reason.isEmpty { return ControlReply(ok: false, message: "a suspension needs a reason") }
            let by = Sanitizer.line(request.by ?? "unknown")
            let entry = Suspension(
                reason: Sanitizer.line(reason),
                by: "\(by) (tablekeeper suspend)",
                since: StatusRecord.timestamp(Date())
            )
            do {
                try suspensions.set(key, suspending ? entry : nil)
            } catch {
                return ControlReply(ok: false, message: "cannot write \(suspensions.path): \(error)")
            }
            logger.notice(
                "\(request.command)",
                metadata: ["table": "\(key)", "by": "\(by)", "reason": "\(Sanitizer.line(reason))"]
            )
            // A cycle now, so the status log and `status` show it at once.
            wakeups.post(.control)
            let subject = key == "*" ? "every table" : key
            return ControlReply(
                ok: true,
                message: suspending ? "\(subject) suspended: \(entry.reason)" : "\(subject) resumed"
            )
        default:
            return ControlReply(ok: false, message: "unknown command \(request.command)")
        }
    }
}
