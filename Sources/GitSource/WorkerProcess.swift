import Foundation
import Synchronization

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["git-worker"]
        // The worker must not inherit git's config search or a terminal prompt for credentials.
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        // Told when Foundation reaps the worker; waitUntilExit() would poll a run loop in a busy loop meanwhile.
        let exit = ExitSignal()
        process.terminationHandler = { _ in exit.signal() }
        do {
            try process.run()
        } catch {
            throw SourceError(code: "worker", message: "cannot start the git worker \(executable): \(error)")
        }
        let pid = process.processIdentifier
        stdin.fileHandleForWriting.write(input)
        try? stdin.fileHandleForWriting.close()

        // Output is read on its own threads (a full pipe would block the worker) while a timer task
        // kills the worker at the deadline; the reads end when the worker's pipes close. Cancelling the
        // calling task (a shutdown) kills the worker at once.
        let (data, errorText) = await withTaskCancellationHandler {
            async let output = readAll(stdout.fileHandleForReading)
            async let diagnostics = readAll(stderr.fileHandleForReading)
            let timer = Task {
                try await Task.sleep(for: deadline)
                kill(pid, SIGKILL)
            }
            let result = await (output, diagnostics)
            timer.cancel()
            return result
        } onCancel: {
            kill(pid, SIGKILL)
        }
        // Pipe handles are not closed when released: without this every poll would leak two descriptors.
        try? stdout.fileHandleForReading.close()
        try? stderr.fileHandleForReading.close()
        await exit.wait()
        let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
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
                message: "the git worker exited with status \(process.terminationStatus) without an answer"
            )
        }
        return response
    }

    private static func readAll(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: handle.readDataToEndOfFile())
            }
        }
    }
}

/// One-shot: `wait` returns once `signal` was called, before or after; unlike an AsyncStream it keeps
/// waiting in a cancelled task, so a killed worker is always reaped before its status is read.
final class ExitSignal: Sendable {
    private let state = Mutex<(signalled: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { state in
            state.signalled = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if !state.signalled { state.waiter = continuation }
                return state.signalled
            }
            if done { continuation.resume() }
        }
    }
}
