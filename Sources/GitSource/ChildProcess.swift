import Foundation

/// A child process started with `posix_spawn`: input written to its stdin, stdout and stderr collected, reaped
/// with `waitpid`. Foundation's `Process` keeps a run-loop source and a few allocations per child that a
/// long-running daemon spawning a worker at every poll would accumulate; this keeps nothing after the exit.
struct ChildProcess {
    /// How the child ended.
    struct Exit {
        /// The exit status, or nil when a signal ended it.
        var status: Int32?
        /// The signal that ended it.
        var signal: Int32?
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    private let descriptors: (input: Int32, output: Int32, errors: Int32)

    /// Starts `executable` with `arguments` and `environment`; signals are reset to their defaults in the child.
    init(executable: String, arguments: [String], environment: [String: String]) throws(SpawnError) {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard pipe(&input) == 0, pipe(&output) == 0, pipe(&errors) == 0 else {
            for fd in input + output + errors where fd >= 0 { close(fd) }
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // Close-on-exec, so no other child inherits them (pipe2 is not imported; the daemon spawns nothing else
        // concurrently but a rare credential_process).
        for fd in input + output + errors { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

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

    /// Writes `input` and closes stdin, reads stdout and stderr to their end and reaps the child, on a thread
    /// of its own (the writes and reads block).
    func communicate(input: [UInt8]) async -> Exit {
        let (pid, descriptors) = (pid, descriptors)
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Self.exchange(pid: pid, descriptors: descriptors, input: input))
            }
            thread.start()
        }
    }

    private static func exchange(
        pid: pid_t,
        descriptors: (input: Int32, output: Int32, errors: Int32),
        input: [UInt8]
    )
        -> Exit
    {
        var exit = Exit(stdout: [], stderr: [])
        var pending = input[...]
        var inputOpen = true
        if pending.isEmpty {
            close(descriptors.input)
            inputOpen = false
        }
        var open: [Int32] = [descriptors.output, descriptors.errors]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty || inputOpen {
            var watched = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inputOpen { watched.append(pollfd(fd: descriptors.input, events: Int16(POLLOUT), revents: 0)) }
            guard poll(&watched, nfds_t(watched.count), -1) >= 0 || errno == EINTR else { break }
            for entry in watched where entry.revents != 0 {
                if entry.fd == descriptors.input, inputOpen {
                    let written = pending.withUnsafeBytes { write(entry.fd, $0.baseAddress, $0.count) }
                    if written > 0 { pending = pending.dropFirst(written) }
                    if written < 0 && errno != EAGAIN && errno != EINTR || pending.isEmpty {
                        close(descriptors.input)
                        inputOpen = false
                    }
                    continue
                }
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == descriptors.output {
                        exit.stdout += buffer[0..<count]
                    } else {
                        exit.stderr += buffer[0..<count]
                    }
                } else if count == 0 || errno != EINTR && errno != EAGAIN {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        // WIFEXITED / WTERMSIG, spelled out: the C macros are not imported.
        if status & 0x7f == 0 {
            exit.status = (status >> 8) & 0xff
        } else {
            exit.signal = status & 0x7f
        }
        return exit
    }
}
