public import Foundation

/// The result of a finished process.
public struct ProcessResult: Sendable {
    /// Exit status (or signal number when killed).
    public var status: Int32
    /// Standard output.
    public var stdout: String
    /// Standard error.
    public var stderr: String
}

/// Runs programs for tests: the real binary, git, ssh-keygen.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` and waits for it, off the cooperative pool.
    @discardableResult
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        directory: String? = nil,
        input: Data? = nil
    ) async throws -> ProcessResult {
        try await offPool {
            try runBlocking(executable, arguments, environment: environment, directory: directory, input: input)
        }
    }

    private static func runBlocking(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]?,
        directory: String?,
        input: Data?
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdout = Pipe.forChild()
        let stderr = Pipe.forChild()
        let stdin = Pipe.forChild()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try? stdin.fileHandleForWriting.close()
        // Drain both pipes concurrently so a chatty process never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        Thread {
            errorData = drain(stderr.fileHandleForReading, of: process)
            group.leave()
        }.start()
        let outputData = drain(stdout.fileHandleForReading, of: process)
        group.wait()
        return ProcessResult(
            status: waitForExit(process),
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self)
        )
    }

    /// The child's exit status. Foundation's `waitUntilExit` can miss a child's end (seen in CI: the child a zombie,
    /// the wait forever); a child that has been a zombie for two seconds is taken as ended, with the status the
    /// kernel keeps for it (`/proc/PID/stat`), and left for Foundation to reap.
    static func waitForExit(_ process: Process) -> Int32 {
        var zombieSince: ContinuousClock.Instant?
        while process.isRunning {
            if let status = zombieStatus(process.processIdentifier) {
                if let since = zombieSince, ContinuousClock.now - since > .seconds(2) { return status }
                zombieSince = zombieSince ?? .now
            }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    /// A zombie's exit code (or the signal that ended it), from field 52 of `/proc/PID/stat`; nil if it is not one.
    static func zombieStatus(_ pid: Int32) -> Int32? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.first == "Z", fields.count > 49,
            let raw = Int32(fields[49].trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return raw & 0x7f != 0 ? raw & 0x7f : (raw >> 8) & 0xff
    }

    /// Reads a child's pipe to its end, or, once the child has exited, to what it left: a long-lived process
    /// started meanwhile by another test may hold a copy of the write end, and then no EOF ever comes.
    public static func drain(_ handle: FileHandle, of process: Process) -> Data {
        let descriptor = handle.fileDescriptor
        var data = Data()
        var exited: ContinuousClock.Instant?
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 100) > 0 {
                let chunk = handle.readRetryingInterrupts()
                if chunk.isEmpty { break }
                data.append(chunk)
                continue
            }
            if process.isRunning { continue }
            // Exited, and nothing more for half a second: what is left of the pipe belongs to someone else.
            if let exited {
                if ContinuousClock.now - exited > .milliseconds(500) { break }
            } else {
                exited = .now
            }
        }
        return data
    }

    /// Runs the built `tablekeeper` binary.
    @discardableResult
    public static func tablekeeper(
        _ arguments: [String],
        environment: [String: String] = [:],
        directory: String? = nil
    ) async throws -> ProcessResult {
        var environment = environment
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["NO_COLOR"] = "1"
        return try await run(RepositoryPaths.binary, arguments, environment: environment, directory: directory)
    }
}

/// A temporary folder removed when the value is released (kept when `TABLEKEEPER_TEST_KEEP` is set).
public final class TemporaryDirectory: Sendable {
    /// The folder's path.
    public let path: String

    /// Creates a fresh folder under the system's temporary directory.
    public init(_ prefix: String = "tablekeeper-test") {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit {
        // TABLEKEEPER_TEST_KEEP=1 keeps the folders (status logs, configs) for reading after a failure.
        guard ProcessInfo.processInfo.environment["TABLEKEEPER_TEST_KEEP"] == nil else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A path inside the folder.
    public func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// Writes text to a file inside the folder (creating parent folders) and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int? = nil) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target) }
        return target
    }
}

extension FileHandle {
    /// What one read(2) returns (empty at the end), retried when a signal interrupts it: FileHandle's own
    /// `availableData` and `readDataToEndOfFile()` trap on EINTR.
    public func readRetryingInterrupts(upTo count: Int = 65536) -> Data {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let read = Glibc.read(fileDescriptor, &buffer, count)
            if read >= 0 { return Data(buffer[0..<read]) }
            if errno != EINTR { return Data() }
        }
    }
}
