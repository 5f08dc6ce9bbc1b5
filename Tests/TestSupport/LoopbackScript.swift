import Foundation

/// A Python helper server on loopback that prints its port on its first line; killed by pid when released.
public final class LoopbackScript: Sendable {
    /// The port it printed.
    public let port: Int
    /// Its process id.
    public let pid: Int32

    /// Starts `python3 ARGUMENTS...` and waits for the port line.
    public init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
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
    public static func stalled() throws -> LoopbackScript {
        try LoopbackScript([
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
}
