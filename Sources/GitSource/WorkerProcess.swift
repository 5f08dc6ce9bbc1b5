import Foundation

/// Runs `tablekeeper git-worker` with a request on standard input and a hard deadline (SIGKILL).
enum WorkerProcess {
    static func run(
        executable: String,
        request: WorkerRequest,
        deadline: Duration
    ) async throws(SourceError) -> WorkerResponse {
        let input: Data
        do {
            input = try JSONEncoder().encode(request)
        } catch {
            throw SourceError(code: "worker", message: "cannot encode the worker request")
        }
        // The worker must not inherit git's config search or a terminal prompt for credentials.
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: executable, arguments: ["git-worker"], environment: environment)
        } catch {
            throw SourceError(code: "worker", message: "cannot start the git worker \(executable): \(error)")
        }
        let pid = child.pid
        // A timer kills the worker at the deadline; cancelling the calling task (a shutdown) kills it at once.
        // Either way the exchange ends when the worker's pipes close, and the worker is reaped.
        let exit = await withTaskCancellationHandler {
            let timer = OneShotTimer(after: deadline) { kill(pid, SIGKILL) }
            defer { timer.cancel() }
            return await child.communicate(input: Array(input))
        } onCancel: {
            kill(pid, SIGKILL)
        }
        let data = Data(exit.stdout)
        let errorText = exit.stderr
        let killed = exit.signal == SIGKILL
        let phase =
            String(decoding: errorText, as: UTF8.self).split(separator: "\n")
            .last { $0.hasPrefix("phase:") }.map { String($0.dropFirst(6)) } ?? "start"
        if killed, Task.isCancelled {
            throw SourceError(code: "cancelled", message: "the git poll was stopped by a shutdown")
        }
        if killed {
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
        guard let response = try? JSONDecoder().decode(WorkerResponse.self, from: data) else {
            throw SourceError(
                code: "worker",
                message:
                    "the git worker exited with \(exit.status.map { "status \($0)" } ?? "signal \(exit.signal ?? 0)") without an answer"
            )
        }
        return response
    }
}
