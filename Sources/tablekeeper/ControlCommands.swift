import ArgumentParser
import FoundationEssentials
import Manifest
import StatusLog
import SystemSupport
import TablekeeperConfig

#if canImport(Glibc)
import Glibc
#endif

/// The client side of the control socket: one JSON line out, one back.
enum ControlClient {
    struct Unreachable: Error, CustomStringConvertible {
        var description: String
    }

    static func configuration(_ path: String) throws -> TablekeeperConfiguration {
        switch ConfigurationDecoder.load(path: path) {
        case .success(let configuration): return configuration
        case .failure(let errors):
            for error in errors.errors { printError(error.description) }
            throw ExitCode(1)
        }
    }

    /// Sends `request` to the daemon at `path` and waits for its answer (at most `timeout`).
    static func send(_ request: ControlRequest, path: String, timeout: Duration) throws(Unreachable) -> ControlReply {
        let advice =
            "check that the daemon runs (systemctl status tablekeeper), that control.socket names this path, and "
            + "that you run as the service user or root (the socket is mode 0600)"
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Unreachable(description: "cannot make a socket: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Unreachable(description: "\(path) is too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            throw Unreachable(
                description: "cannot reach the daemon at \(path): \(String(cString: strerror(errno))); \(advice)"
            )
        }
        var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var line = Array((try? JSONEncoder().encode(request)) ?? Data())
        line.append(UInt8(ascii: "\n"))
        guard line.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == line.count else {
            throw Unreachable(description: "cannot write to \(path): \(String(cString: strerror(errno)))")
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            answer += buffer[..<count]
        }
        guard let reply = try? JSONDecoder().decode(ControlReply.self, from: Data(answer)) else {
            throw Unreachable(
                description: "no answer from the daemon at \(path) within \(DurationText.format(timeout))"
            )
        }
        return reply
    }

    /// Who asks, for the record: the login behind `sudo` when root runs it through sudo (`alice via sudo`), so the
    /// record names a person rather than root.
    static var user: String {
        let uid = getuid()
        if uid == 0, let person = ProcessInfo.processInfo.environment["SUDO_USER"], !person.isEmpty, person != "root" {
            return "\(person) via sudo"
        }
        if let entry = getpwuid(uid), let login = entry.pointee.pw_name { return String(cString: login) }
        return "uid \(uid)"
    }
}

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Ask the running daemon for a cycle now, wait for it, and print its outcome.",
        discussion: """
            Exit status: 0 when in sync (or pending), 2 when the cycle left something flagged, invalid or failed,
            1 when the daemon cannot be reached.

            Examples:
              tablekeeper reconcile --config /etc/tablekeeper/config.json --with-source
              tablekeeper reconcile --config /etc/tablekeeper/config.json --table sentinel-requests
            """
    )

    @Option(help: "The daemon's configuration file.")
    var config: String = "/etc/tablekeeper/config.json"

    @Option(help: "Print only this table.")
    var table: String?

    @Flag(help: "Fetch git first (otherwise the cycle reads the revision already fetched).")
    var withSource = false

    mutating func run() async throws {
        let configuration = try ControlClient.configuration(config)
        let reply = try ControlCommandRun.send(
            ControlRequest(command: "reconcile", table: table, withSource: withSource),
            configuration: configuration,
            timeout: configuration.source.deadline + .seconds(600)
        )
        let log = configuration.statusLog.path
        var summary = StatusSummary(records: StatusLogReader.read(path: log, latestCycleOnly: true).records)
        if let table { summary.tables = summary.tables.filter { $0.table == table } }
        for line in StatusRendering.human(summary, terminal: .standardOutput) { print(line) }
        if reply.attention == true { throw ExitCode(2) }
    }
}

struct SuspendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspend",
        abstract: "Stop changing a table (or every table), through the running daemon; it is still observed.",
        discussion: """
            The suspension survives restarts and is shown by status with its reason and who suspended it.

            Examples:
              tablekeeper suspend --config /etc/tablekeeper/config.json --table sentinel-requests --reason "INC-1234"
              tablekeeper suspend --config /etc/tablekeeper/config.json --all --reason "incident"
            """
    )

    @Option(help: "The daemon's configuration file.")
    var config: String = "/etc/tablekeeper/config.json"

    @Option(help: "The table.")
    var table: String?

    @Flag(help: "Every table.")
    var all = false

    @Option(help: "Why (shown with the suspension).")
    var reason: String

    func validate() throws {
        if (table == nil) == !all { throw ValidationError("give --table NAME or --all") }
        if reason.trimmingWhitespace().isEmpty { throw ValidationError("--reason must say why") }
    }

    mutating func run() async throws {
        _ = try ControlCommandRun.send(
            ControlRequest(command: "suspend", table: table, all: all, reason: reason, by: ControlClient.user),
            configuration: ControlClient.configuration(config)
        )
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Let the daemon change a suspended table (or every table) again.",
        discussion: """
            Example:
              tablekeeper resume --config /etc/tablekeeper/config.json --table sentinel-requests
            """
    )

    @Option(help: "The daemon's configuration file.")
    var config: String = "/etc/tablekeeper/config.json"

    @Option(help: "The table.")
    var table: String?

    @Flag(help: "Lift a suspension of every table (--all); tables suspended by name stay suspended.")
    var all = false

    func validate() throws {
        if (table == nil) == !all { throw ValidationError("give --table NAME or --all") }
    }

    mutating func run() async throws {
        _ = try ControlCommandRun.send(
            ControlRequest(command: "resume", table: table, all: all, by: ControlClient.user),
            configuration: ControlClient.configuration(config)
        )
    }
}

enum ControlCommandRun {
    /// Sends `request` to the daemon the configuration names and prints its answer; exits 1 when it cannot be
    /// reached or refuses.
    static func send(
        _ request: ControlRequest,
        configuration: TablekeeperConfiguration,
        timeout: Duration = .seconds(30)
    ) throws -> ControlReply {
        let path = configuration.controlSocketPath(environment: [:])
        let reply: ControlReply
        do throws(ControlClient.Unreachable) {
            reply = try ControlClient.send(request, path: path, timeout: timeout)
        } catch {
            printError("tablekeeper: \(error.description)")
            throw ExitCode(1)
        }
        guard reply.ok else {
            printError("tablekeeper: \(Sanitizer.line(reply.message))")
            throw ExitCode(1)
        }
        print(Sanitizer.line(reply.message))
        return reply
    }
}
