import Glibc
import Synchronization
import SystemSupport
import Testing

@Suite("child processes, threads and files")
struct ChildProcessTests {
    @Test("a command run to its end gives its input back, its stderr and its exit status")
    func runToEnd() throws {
        let result = try ChildProcess.run(
            executable: "/bin/sh",
            arguments: ["-c", "cat; echo oops >&2; exit 3"],
            environment: ["PATH": "/usr/bin:/bin"],
            input: Array("hello\nworld".utf8)
        )
        #expect(String(decoding: result.stdout, as: UTF8.self) == "hello\nworld")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "oops\n")
        #expect(result.exit.status == 3)
        #expect(result.exit.signal == nil)
    }

    @Test("a timeout kills the child's whole process group; output past the limit stops the child")
    func timeoutAndLimit() throws {
        let marker = "/tmp/tablekeeper-grandchild-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(marker) }
        let started = ContinuousClock.now
        // The grandchild would outlive a kill of its parent alone, and write the marker.
        let slow = try ChildProcess.run(
            executable: "/bin/sh",
            arguments: ["-c", "(sleep 2; touch \(marker)) & sleep 30"],
            environment: ["PATH": "/usr/bin:/bin"],
            timeout: .milliseconds(300)
        )
        #expect(slow.timedOut)
        #expect(slow.exit.signal == SIGKILL)
        #expect(ContinuousClock.now - started < .seconds(10))
        usleep(2_500_000)
        #expect(access(marker, F_OK) != 0)
        let chatty = try ChildProcess.run(
            executable: "/bin/sh",
            arguments: ["-c", "yes"],
            environment: ["PATH": "/usr/bin:/bin"],
            timeout: .seconds(30),
            outputLimit: 1 << 16
        )
        #expect(!chatty.timedOut)
        #expect(chatty.exit.signal == SIGKILL)
    }

    @Test("a megabyte each way does not deadlock, and a command that ignores its input still ends")
    func largeStreams() throws {
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        let counted = try ChildProcess.run(
            executable: "/bin/sh",
            arguments: ["-c", "wc -c; head -c 1048576 /dev/zero >&2"],
            environment: ["PATH": "/usr/bin:/bin"],
            input: input
        )
        #expect(String(decoding: counted.stdout, as: UTF8.self).trimmingWhitespace() == "1048576")
        // Only the end of stderr is kept, bounded whatever the child writes.
        #expect(counted.stderr.count >= ChildProcess.stderrKept && counted.stderr.count <= 2 * ChildProcess.stderrKept)
        let ignoring = try ChildProcess.run(
            executable: "/bin/sh",
            arguments: ["-c", "echo done"],
            environment: [:],
            input: input
        )
        #expect(String(decoding: ignoring.stdout, as: UTF8.self) == "done\n")
        #expect(ignoring.exit.status == 0)
    }

    @Test("a child killed by a signal says which; a missing executable is a spawn error")
    func signalsAndMissing() throws {
        let killed = try ChildProcess.run(executable: "/bin/sh", arguments: ["-c", "kill -9 $$"], environment: [:])
        #expect(killed.exit.status == nil)
        #expect(killed.exit.signal == SIGKILL)
        #expect(throws: ChildProcess.SpawnError.self) {
            try ChildProcess.run(executable: "/nonexistent/tool", arguments: [], environment: [:])
        }
    }

    @Test("a started thread runs its work")
    func thread() async {
        let ran = await withCheckedContinuation { continuation in
            startThread { continuation.resume(returning: true) }
        }
        #expect(ran)
    }

    @Test("files are read whole or up to a limit; a missing one is nil")
    func files() throws {
        let path = "/tmp/tablekeeper-fileio-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(path) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(FileIO.write(Array("0123456789".utf8), to: descriptor))
        close(descriptor)
        #expect(FileIO.read(path) == Array("0123456789".utf8))
        #expect(FileIO.read(path, limit: 4) == Array("0123".utf8))
        #expect(FileIO.read(path + ".missing") == nil)
    }
}
