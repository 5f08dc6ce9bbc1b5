import Foundation

/// A real moto server (`python3 -m moto.server -H 127.0.0.1 -p PORT`) on a free loopback port, stopped by its pid.
public final class MotoServer: Sendable {
    /// The port it listens on.
    public let port: Int
    /// The server's process id.
    public let pid: Int32

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// One server shared by the tests of a process; tests use their own table names.
    public static func shared() async throws -> MotoServer {
        try await sharedStart.value
    }

    private static let sharedStart = Task {
        let server = try await MotoServer.start()
        sharedMotoPid = server.pid
        // Stopped by its pid when the test process exits.
        atexit { kill(sharedMotoPid, SIGKILL) }
        return server
    }

    /// Starts a server; `environment` can enable moto's authentication (`INITIAL_NO_AUTH_ACTION_COUNT`).
    public static func start(environment: [String: String] = [:]) async throws -> MotoServer {
        try await offPool { try startBlocking(environment: environment) }
    }

    private static func startBlocking(environment: [String: String]) throws -> MotoServer {
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(port: port, pid: process.processIdentifier)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if canConnect(port: port) { return server }
            usleep(100_000)
        }
        server.stop()
        throw MotoError(
            description: "moto did not start on port \(port) within 30 s (is moto[server] installed?)"
        )
    }

    init(port: Int, pid: Int32) {
        self.port = port
        self.pid = pid
    }

    /// Stops the server by its pid.
    public func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    struct MotoError: Error, CustomStringConvertible {
        var description: String
    }

    /// A port nothing listens on right now.
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw MotoError(description: "cannot bind a loopback port") }
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on the loopback port.
    public static func canConnect(port: Int) -> Bool {
        guard let descriptor = connectLoopback(port: port) else { return false }
        close(descriptor)
        return true
    }

    /// A TCP connection to the loopback port (the caller closes it), or nil when nothing accepts it.
    public static func connectLoopback(port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}

/// The shared server's pid, for the exit hook (written once, before the hook is registered).
nonisolated(unsafe) private var sharedMotoPid: Int32 = 0
