import FoundationEssentials
import Glibc
import Synchronization
import SystemSupport

/// The `tablekeeper git-worker` child, kept between polls: one request line in, one answer line out, under a
/// hard deadline (SIGKILL). Keeping it saves starting a process at every poll; a worker that was killed, died
/// or served `maximumRequests` is replaced by a new one.
final class WorkerSession: Sendable {
    /// Requests one worker serves before it is replaced (bounds anything libgit2 might keep).
    static let maximumRequests = 100

    let executable: String
    private struct State {
        var child: ChildProcess?
        var served = 0
        var busy = false
    }

    private let state = Mutex(State())

    init(executable: String) {
        self.executable = executable
    }

    deinit {
        state.withLock { $0.child?.finish() }
    }

    /// The kept worker's pid, if one runs (for tests and diagnostics).
    var processID: Int32? {
        state.withLock { $0.child?.pid }
    }

    /// Sends one request and waits for its answer; a second request while one is in flight gets a worker of
    /// its own.
    func run(_ request: WorkerRequest, deadline: Duration) async throws(SourceError) -> WorkerResponse {
        var line: [UInt8]
        do {
            line = Array(try JSONEncoder().encode(request))
        } catch {
            throw SourceError(code: "worker", message: "cannot encode the worker request")
        }
        line.append(10)
        let (child, shared) = try checkOut()
        defer {
            if shared {
                state.withLock { $0.busy = false }
            } else {
                child.finish()
            }
        }
        let pid = child.pid
        // The answer carries the manifests in base64: a third more than the bytes the limits allow, plus room.
        let limit = request.limits.maxBytes / 3 * 4 + (16 << 20)
        // A timer kills the worker at the deadline; cancelling the calling task (a shutdown) kills it at once.
        // Only this timer's kill counts as a timeout: the kernel's OOM killer also sends SIGKILL.
        let timedOut = Mutex(false)
        let transcript = await withTaskCancellationHandler {
            let timer = OneShotTimer(after: deadline) {
                timedOut.withLock { $0 = true }
                kill(pid, SIGKILL)
            }
            defer { timer.cancel() }
            return await child.exchange(input: line, limit: limit)
        } onCancel: {
            kill(pid, SIGKILL)
        }
        if let answer = transcript.line,
            let response = try? JSONDecoder().decode(WorkerResponse.self, from: Data(answer))
        {
            return response
        }
        // No usable answer: the worker is gone (killed at the deadline or by a shutdown, or it crashed), or it
        // answered nonsense; either way it is replaced.
        kill(pid, SIGKILL)
        let exit = await child.reap()
        if shared { state.withLock { if $0.child === child { $0.child = nil } } }
        if transcript.overflowed {
            throw SourceError(
                code: "worker",
                message: "the git worker's answer passed \(limit) bytes and was cut off; the revision is not applied"
            )
        }
        if transcript.line != nil {
            throw SourceError(
                code: "worker",
                message:
                    "the git worker \(executable) answered in a form this daemon does not read (a binary replaced by an"
                    + " upgrade?); restart the daemon"
            )
        }
        try Self.explain(
            exit,
            transcript: transcript,
            request: request,
            deadline: deadline,
            timedOut: timedOut.withLock { $0 }
        )
    }

    /// The kept worker (started if needed), or a one-off when it is busy.
    private func checkOut() throws(SourceError) -> (ChildProcess, shared: Bool) {
        let kept: ChildProcess? = state.withLock { state in
            guard !state.busy else { return nil }
            if let child = state.child, child.hasExited || state.served >= Self.maximumRequests {
                child.finish()
                state.child = nil
            }
            if state.child == nil {
                state.child = try? Self.spawn(executable)
                state.served = 0
            }
            guard let child = state.child else { return nil }
            state.busy = true
            state.served += 1
            return child
        }
        if let kept { return (kept, true) }
        do {
            return (try Self.spawn(executable), false)
        } catch {
            throw SourceError(code: "worker", message: "cannot start the git worker \(executable): \(error)")
        }
    }

    private static func spawn(_ executable: String) throws(ChildProcess.SpawnError) -> ChildProcess {
        // The worker gets an allowlist of variables (never AWS credentials or NOTIFY_SOCKET) and no terminal
        // prompt for credentials.
        let environment = ChildEnvironment.filtered(
            ProcessInfo.processInfo.environment,
            adding: ["GIT_TERMINAL_PROMPT": "0"]
        )
        return try ChildProcess(executable: executable, arguments: ["git-worker"], environment: environment)
    }

    private static func explain(
        _ exit: ChildProcess.Exit,
        transcript: ChildProcess.Transcript,
        request: WorkerRequest,
        deadline: Duration,
        timedOut: Bool
    ) throws(SourceError) -> Never {
        let stderrLines = String(decoding: transcript.stderr, as: UTF8.self).split(separator: "\n")
        // The last phase the worker announced in this exchange; `idle` closes the previous request.
        let phase = stderrLines.last { $0.hasPrefix("phase:") }.map { String($0.dropFirst(6)) } ?? "idle"
        if exit.signal == SIGKILL, Task.isCancelled {
            throw SourceError(code: "cancelled", message: "the git poll was stopped by a shutdown")
        }
        if exit.signal == SIGKILL, !timedOut {
            throw SourceError(
                code: "worker",
                message: "the git worker was killed (SIGKILL) during \(phase) by something other than the deadline, "
                    + "most likely the out-of-memory killer (see the journal); the cache is kept"
            )
        }
        if exit.signal == SIGKILL {
            let seconds = deadline.components.seconds
            if phase == "read" {
                throw SourceError(
                    code: "timeout-reading",
                    message: "reading the git cache did not finish within \(seconds) s; the cache was moved aside"
                )
            }
            throw SourceError(
                code: "timeout",
                message:
                    "git fetch from \(request.url) did not finish within \(seconds) s (remote unreachable or stalled)"
            )
        }
        let how = exit.status.map { "status \($0)" } ?? "signal \(exit.signal ?? 0)"
        // What the worker said last (not a phase line) is the best clue to why it ended.
        let said =
            stderrLines.last { !$0.hasPrefix("phase:") }.map { ": \(URLScrubber.scrub(String($0.prefix(300))))" } ?? ""
        throw SourceError(
            code: "worker",
            message: "the git worker exited with \(how) without an answer\(said); a new one starts at the next poll"
        )
    }
}
