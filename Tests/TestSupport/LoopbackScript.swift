import Foundation

/// A Python helper server on loopback that prints its port on its first line; killed by pid when released.
public final class LoopbackScript: Sendable {
    /// The port it printed.
    public let port: Int
    /// Its process id.
    public let pid: Int32

    /// Starts `python3 ARGUMENTS...` and waits for the port line.
    public static func start(_ arguments: [String]) async throws -> LoopbackScript {
        try await offPool { try LoopbackScript(arguments) }
    }

    private init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe.forChild()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            // read(2) itself: FileHandle.availableData traps on EINTR (a signal from another test's child).
            let chunk = output.fileHandleForReading.readRetryingInterrupts()
            if chunk.isEmpty { break }
            line += chunk
        }
        try? output.fileHandleForReading.close()
        port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

extension LoopbackScript {
    /// A loopback TCP server that accepts connections and never answers.
    public static func stalled() async throws -> LoopbackScript {
        try await start([
            "-c",
            """
            import socket
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(16)
            print(s.getsockname()[1], flush=True)
            held = []
            while True:
                connection, _ = s.accept()
                held.append(connection)
            """,
        ])
    }

    /// A TCP proxy from `port` (0: any free port) to `target` on loopback; killing it cuts every connection, and
    /// a new one can be started on the same port.
    public static func proxy(port: Int = 0, to target: Int) async throws -> LoopbackScript {
        try await start([
            "-c",
            """
            import socket, sys, threading
            port, target = int(sys.argv[1]), int(sys.argv[2])
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", port))
            server.listen(64)
            print(server.getsockname()[1], flush=True)
            def pump(source, sink):
                try:
                    while True:
                        data = source.recv(65536)
                        if not data:
                            break
                        sink.sendall(data)
                except OSError:
                    pass
                for end in (source, sink):
                    try:
                        end.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
            def handle(client):
                try:
                    upstream = socket.create_connection(("127.0.0.1", target))
                except OSError:
                    client.close()
                    return
                threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
                threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
            while True:
                client, _ = server.accept()
                threading.Thread(target=handle, args=(client,), daemon=True).start()
            """,
            "\(port)", "\(target)",
        ])
    }
}
