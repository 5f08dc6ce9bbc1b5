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
        let (exited, exit) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            exit.yield()
            exit.finish()
        }
        do {
            try process.run()
        } catch {
            throw SourceError(code: "worker", message: "cannot start the git worker \(executable): \(error)")
        }
        let pid = process.processIdentifier
        stdin.fileHandleForWriting.write(input)
        try? stdin.fileHandleForWriting.close()

        // Output is read on its own threads (a full pipe would block the worker) while a timer task
        // kills the worker at the deadline; the reads end when the worker's pipes close.
        async let output = readAll(stdout.fileHandleForReading)
        async let diagnostics = readAll(stderr.fileHandleForReading)
        let timer = Task {
            try await Task.sleep(for: deadline)
            kill(pid, SIGKILL)
        }
        let (data, errorText) = await (output, diagnostics)
        // Pipe handles are not closed when released: without this every poll would leak two descriptors.
        try? stdout.fileHandleForReading.close()
        try? stderr.fileHandleForReading.close()
        timer.cancel()
        for await _ in exited { break }
        let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
        let phase =
            String(decoding: errorText, as: UTF8.self).split(separator: "\n")
            .last { $0.hasPrefix("phase:") }.map { String($0.dropFirst(6)) } ?? "start"
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
