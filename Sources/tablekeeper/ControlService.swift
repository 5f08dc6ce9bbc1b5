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

    /// Reads the file; one that exists but cannot be read suspends every table (a lost suspension could let
    /// changes through during an incident), saying why.
    init(path: String) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            state = Mutex(exists ? Self.damaged(path) : [:])
            return
        }
        state = Mutex((try? JSONDecoder().decode([String: Suspension].self, from: data)) ?? Self.damaged(path))
    }

    static func damaged(_ path: String) -> [String: Suspension] {
        [
            "*": Suspension(
                reason: "the suspension file \(path) cannot be read: fix or remove it, then resume --all",
                by: "tablekeeper",
                since: StatusRecord.timestamp(Date())
            )
        ]
    }

    var current: [String: Suspension] { state.withLock { $0 } }

    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    /// Sets or clears a suspension (`*`: all tables): the file (0600, replaced atomically) first, then the
    /// suspensions in force, so a write that fails changes nothing.
    func set(_ key: String, _ suspension: Suspension?) throws(WriteError) {
        try state.withLock { (suspensions: inout [String: Suspension]) throws(WriteError) in
            var next = suspensions
            next[key] = suspension
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            guard let data = try? encoder.encode(next) else { throw WriteError(description: "cannot encode") }
            let temporary = path + ".tmp"
            unlink(temporary)
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw WriteError(description: "cannot create \(temporary): \(String(cString: strerror(errno)))")
            }
            let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let synced = fsync(descriptor) == 0
            close(descriptor)
            guard written == data.count, synced, rename(temporary, path) == 0 else {
                unlink(temporary)
                throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            suspensions = next
        }
    }
}

/// What the control socket asks of the reconcile loop: cycles on demand, awaited by the asker.
final class ControlRequests: Sendable {
    private struct Waiter {
        var since: ContinuousClock.Instant
        var continuation: CheckedContinuation<CycleReport?, Never>
    }

    private struct State {
        var fetch = false
        var waiters: [Waiter] = []
        /// The loop has ended: no cycle will come for anyone.
        var closed = false
    }

    private let state = Mutex(State())

    /// Whether the next cycle fetches git first (a `--with-source` request since the last cycle); cleared.
    func takeFetch() -> Bool {
        state.withLock { state in
            defer { state.fetch = false }
            return state.fetch
        }
    }

    /// Waits for the first full cycle that starts after now; nil when none will come (this daemon stopped leading,
    /// or is shutting down).
    func awaitCycle(withSource: Bool, wakeups: Wakeups) async -> CycleReport? {
        let since = ContinuousClock.now
        return await withCheckedContinuation { continuation in
            let closed = state.withLock { state -> Bool in
                guard !state.closed else { return true }
                state.fetch = state.fetch || withSource
                state.waiters.append(Waiter(since: since, continuation: continuation))
                return false
            }
            if closed {
                continuation.resume(returning: nil)
            } else {
                wakeups.post(.control)
            }
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

    /// No cycle will come for the waiters (standby, shutdown): they are answered so; `closing` for good.
    func failAll(closing: Bool = false) {
        let waiting = state.withLock { state -> [Waiter] in
            if closing { state.closed = true }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiting { waiter.continuation.resume(returning: nil) }
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
            reply = ControlReply(
                ok: false,
                message: "not a control request (one JSON line with a command): use tablekeeper reconcile, suspend or "
                    + "resume"
            )
        }
        return Array((try? JSONEncoder().encode(reply)) ?? Data())
    }

    func answer(_ request: ControlRequest) async -> ControlReply {
        switch request.command {
        case "reconcile":
            if let why = standby() { return ControlReply(ok: false, message: why) }
            guard let report = await requests.awaitCycle(withSource: request.withSource ?? false, wakeups: wakeups)
            else {
                return ControlReply(
                    ok: false,
                    message: standby() ?? "the daemon is stopping; no cycle ran"
                )
            }
            let results = report.results.filter { request.table == nil || $0.table == request.table }
            if report.sourceError != nil || report.sourceRejection != nil {
                return ControlReply(
                    ok: true,
                    message: ReconcileLoop.summary(report),
                    cycle: report.cycle,
                    attention: true
                )
            }
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
            // Suspensions are kept on the leader's host: a standby's would not hold the leader back.
            if let why = standby() { return ControlReply(ok: false, message: why) }
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
            do throws(SuspensionStore.WriteError) {
                try suspensions.set(key, suspending ? entry : nil)
            } catch {
                return ControlReply(ok: false, message: error.description)
            }
            logger.notice(
                "\(request.command)",
                metadata: ["table": "\(key)", "by": "\(by)", "reason": "\(Sanitizer.line(reason))"]
            )
            // A cycle now, so the status log and `status` show it at once.
            wakeups.post(.control)
            let subject = key == "*" ? "every table" : key
            var message = suspending ? "\(subject) suspended: \(entry.reason)" : "\(subject) resumed"
            if !suspending, key != "*", let all = suspensions.current["*"] {
                message += "; every table is still suspended (\(all.reason)): resume --all to lift that"
            }
            if !suspending, key == "*", !suspensions.current.isEmpty {
                message +=
                    "; tables suspended by name stay so: \(suspensions.current.keys.sorted().joined(separator: ", "))"
            }
            return ControlReply(ok: true, message: message)
        default:
            return ControlReply(ok: false, message: "unknown command \(request.command)")
        }
    }
}
