internal import CPosixSpawn
import Glibc
import Synchronization

/// A child process started with `posix_spawn`, spoken to in lines (a request line written to its stdin, an
/// answer line read from its stdout, its stderr collected meanwhile) or run to its end; reaped with `waitpid`.
/// Foundation's `Process` keeps a run-loop source and a few allocations per child, which a daemon would accumulate.
public final class ChildProcess: @unchecked Sendable {
    /// How the child ended.
    public struct Exit: Sendable {
        /// The exit status, or nil when a signal ended it.
        public var status: Int32?
        /// The signal that ended it.
        public var signal: Int32?
    }

    /// The child could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        /// Why.
        public var description: String
    }

    /// The child's process id.
    public let pid: Int32
    // Used by one exchange at a time (the owner serializes them); closed once.
    private var descriptors: (input: Int32, output: Int32, errors: Int32)
    private var reaped: Exit?

    /// Starts `executable` (an absolute path) with `arguments` and `environment`; signals are reset to their
    /// defaults in the child.
    ///
    /// With `newProcessGroup`, the child leads a process group of its own, so everything it starts can be killed
    /// with it (`kill(-pid, …)`).
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String],
        newProcessGroup: Bool = false
    ) throws(SpawnError) {
        // Socket pairs rather than pipes: created close-on-exec in one step (pipe2 is not imported, and a pipe made
        // then marked could leak into a child another thread starts meanwhile, which would hold its end open and
        // hide the worker's exit), and stdin is written with MSG_NOSIGNAL, so a worker that died cannot kill the
        // daemon with SIGPIPE. Index 0 is the child's end of stdin, index 1 the child's end of stdout and stderr.
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, kind, 0, &input) == 0, socketpair(AF_UNIX, kind, 0, &output) == 0,
            socketpair(AF_UNIX, kind, 0, &errors) == 0
        else {
            for fd in input + output + errors where fd >= 0 { close(fd) }
            throw SpawnError(description: "socketpair: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        // Nothing else the daemon has open (another child's pipes, say) reaches the worker, which outlives polls.
        tablekeeper_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The daemon ignores and blocks signals it traps; the child starts with the defaults and nothing blocked.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(input[0])
        close(output[1])
        close(errors[1])
        guard result == 0 else {
            close(input[1])
            close(output[0])
            close(errors[0])
            throw SpawnError(description: String(cString: strerror(result)))
        }
        self.pid = pid
        descriptors = (input[1], output[0], errors[0])
    }

    /// What one exchange produced.
    public struct Transcript: Sendable {
        /// The answer line without its newline, or nil when stdout ended first (the child is gone); with
        /// `run(input:)`, everything the child wrote on stdout.
        public var line: [UInt8]?
        /// What the child wrote on stderr meanwhile (its last 64 KiB).
        public var stderr: [UInt8]
        /// Whether stdout passed the exchange's limit (then `line` is nil and the child should be killed).
        public var overflowed = false
    }

    /// The most of a child's stderr kept: the end, where the reason it stopped usually is.
    public static let stderrKept = 65536

    /// Writes `input` (a line) and reads stdout up to the next newline, collecting stderr meanwhile, on a thread
    /// of its own (the writes and reads block). Ends early when the child's stdout closes.
    /// An answer longer than `limit` bytes is not read further (`overflowed`).
    public func exchange(input: [UInt8], limit: Int = .max) async -> Transcript {
        await withCheckedContinuation { continuation in
            startThread { [self] in
                continuation.resume(returning: exchangeBlocking(input: input, toEnd: false, limit: limit))
            }
        }
    }

    /// Writes `input`, closes stdin, reads stdout and stderr to their end and reaps the child, blocking the
    /// calling thread: for short commands (`credential_process`, `ssh-keygen`).
    public static func run(
        executable: String,
        arguments: [String],
        environment: [String: String],
        input: [UInt8] = [],
        timeout: Duration? = nil,
        outputLimit: Int = .max
    ) throws(SpawnError) -> (exit: Exit, stdout: [UInt8], stderr: [UInt8], timedOut: Bool) {
        // With a timeout the child leads its own process group, and the whole group is killed at the deadline.
        let child = try ChildProcess(
            executable: executable,
            arguments: arguments,
            environment: environment,
            newProcessGroup: timeout != nil
        )
        let pid = child.pid
        let fired = Mutex(false)
        let timer = timeout.map { deadline in
            OneShotTimer(after: deadline) {
                fired.withLock { $0 = true }
                kill(-pid, SIGKILL)
            }
        }
        let transcript = child.exchangeBlocking(input: input, toEnd: true, limit: outputLimit)
        if transcript.overflowed { kill(timeout == nil ? pid : -pid, SIGKILL) }
        child.closeAll()
        let exit = wait(child.pid)
        timer?.cancel()
        child.reaped = exit
        return (exit, transcript.line ?? [], transcript.stderr, fired.withLock { $0 })
    }

    /// Waits for the child to exit (after a kill or closing its stdin) and returns how it ended.
    public func reap() async -> Exit {
        if let reaped { return reaped }
        let exit = await withCheckedContinuation { continuation in
            let pid = pid
            startThread { continuation.resume(returning: Self.wait(pid)) }
        }
        reaped = exit
        closeAll()
        return exit
    }

    /// Whether the child has exited (it is then reaped).
    public var hasExited: Bool {
        if reaped != nil { return true }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return false }
        reaped = Self.exit(status: status)
        closeAll()
        return true
    }

    /// Closes stdin (the child ends at end of input) and reaps the child on a background thread.
    public func finish() {
        guard reaped == nil else { return }
        closeInput()
        let pid = pid
        startThread { _ = Self.wait(pid) }
        reaped = Exit(status: nil, signal: nil)
        closeAll()
    }

    private func closeInput() {
        if descriptors.input >= 0 {
            close(descriptors.input)
            descriptors.input = -1
        }
    }

    private func closeAll() {
        for fd in [descriptors.input, descriptors.output, descriptors.errors] where fd >= 0 { close(fd) }
        descriptors = (-1, -1, -1)
    }

    private static func wait(_ pid: pid_t) -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return exit(status: status)
    }

    private static func exit(status: Int32) -> Exit {
        // WIFEXITED / WTERMSIG, spelled out: the C macros are not imported.
        status & 0x7f == 0
            ? Exit(status: (status >> 8) & 0xff, signal: nil) : Exit(status: nil, signal: status & 0x7f)
    }

    /// Reads a descriptor to its end, keeping only the last `stderrKept` bytes (a child that floods stderr
    /// costs no memory).
    private func readTail(_ descriptor: Int32, after start: [UInt8]) -> [UInt8] {
        var kept = start
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            kept += buffer[0..<count]
            if kept.count > 2 * Self.stderrKept { kept.removeFirst(kept.count - Self.stderrKept) }
        }
        return Array(kept.suffix(Self.stderrKept))
    }

    /// Writes `input`, then reads stdout up to its first newline, or with `toEnd` closes stdin once `input` is
    /// written and reads stdout and stderr to their end.
    private func exchangeBlocking(input: [UInt8], toEnd: Bool, limit: Int = .max) -> Transcript {
        var transcript = Transcript(line: nil, stderr: [])
        if toEnd, input.isEmpty { closeInput() }
        var pending = input[...]
        var output: [UInt8] = []
        var errorsOpen = descriptors.errors >= 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while descriptors.output >= 0 {
            var watched = [pollfd(fd: descriptors.output, events: Int16(POLLIN), revents: 0)]
            if errorsOpen { watched.append(pollfd(fd: descriptors.errors, events: Int16(POLLIN), revents: 0)) }
            if !pending.isEmpty, descriptors.input >= 0 {
                watched.append(pollfd(fd: descriptors.input, events: Int16(POLLOUT), revents: 0))
            }
            guard poll(&watched, nfds_t(watched.count), -1) >= 0 || errno == EINTR else { break }
            for entry in watched where entry.revents != 0 {
                if entry.fd == descriptors.input {
                    let written = pending.withUnsafeBytes {
                        send(entry.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                    }
                    if written > 0 {
                        pending = pending.dropFirst(written)
                    } else if errno != EAGAIN, errno != EINTR {
                        pending = []
                    }
                    if toEnd, pending.isEmpty { closeInput() }
                    continue
                }
                let count = read(entry.fd, &buffer, buffer.count)
                if count <= 0 {
                    if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        if entry.fd == descriptors.output {
                            if toEnd {
                                transcript.line = output
                                if errorsOpen {
                                    transcript.stderr = readTail(descriptors.errors, after: transcript.stderr)
                                }
                            }
                            return transcript
                        }
                        errorsOpen = false
                    }
                    continue
                }
                if entry.fd == descriptors.errors {
                    transcript.stderr += buffer[0..<count]
                    if transcript.stderr.count > 2 * Self.stderrKept {
                        transcript.stderr.removeFirst(transcript.stderr.count - Self.stderrKept)
                    }
                    continue
                }
                output += buffer[0..<count]
                if output.count > limit {
                    transcript.overflowed = true
                    if toEnd { transcript.line = output }
                    return transcript
                }
                if !toEnd, let newline = output.firstIndex(of: 10) {
                    transcript.line = Array(output[..<newline])
                    return transcript
                }
            }
        }
        return transcript
    }
}
