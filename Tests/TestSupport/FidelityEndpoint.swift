import Foundation

/// The project's fidelity endpoint (`scripts/fidelity-endpoint`: moto plus DynamoDB's documented states, quotas,
/// rates and messages) on a free loopback port, stopped by its pid, with its control API.
public final class FidelityEndpoint: Sendable {
    /// The port it listens on.
    public let port: Int
    /// The server's process id.
    public let pid: Int32

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Short delays for tests that are not about timing; the daemon still sees every state.
    public static let quick: [String: Double] = [
        "createDelay": 0.5, "updateDelay": 0.3, "gsiCreateDelay": 1.0, "gsiDeleteDelay": 0.3, "sseDelay": 0.5,
        "tableClassDelay": 0.5, "ttlDelay": 0.3, "describeLag": 0.2, "tagLag": 0.3, "pitrUnavailable": 1.0,
        "inaccessibleDelay": 0.5, "replicaCreateDelay": 1.0, "replicaUpdateDelay": 0.5,
    ]

    /// One endpoint shared by the tests of a process (with `quick` timings); tests use their own table names.
    public static func shared() async throws -> FidelityEndpoint {
        try await sharedStart.value
    }

    private static let sharedStart = Task {
        let endpoint = try await FidelityEndpoint.start()
        sharedFidelityPid = endpoint.pid
        // Stopped by its pid when the test process exits.
        atexit { kill(sharedFidelityPid, SIGKILL) }
        return endpoint
    }

    /// Starts an endpoint with `settings` laid over its defaults (see `scripts/fidelity/settings.py`).
    public static func start(settings: [String: any Sendable] = quick) async throws -> FidelityEndpoint {
        let configuration = String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self)
        let endpoint = try await offPool { try startBlocking(configuration: configuration) }
        // Until moto's services are imported, a first request on a loaded machine can outlast a client's deadline.
        // The question is asked again until it is answered yes (a loaded endpoint may not answer in time at all).
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if (try? await endpoint.control("GET", "warm"))?["warm"] as? Bool == true { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return endpoint
    }

    private static func startBlocking(configuration: String) throws -> FidelityEndpoint {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fidelity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let portFile = folder.appendingPathComponent("port").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", RepositoryPaths.path("scripts/fidelity-endpoint"), "--port-file", portFile, "--config",
            configuration,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Generous: CI starts many endpoints at once on two cores while it builds and runs other tests.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return FidelityEndpoint(port: port, pid: process.processIdentifier)
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        kill(process.processIdentifier, SIGKILL)
        throw EndpointError(
            description: "the fidelity endpoint did not start within 120 s (is moto[server] installed?)"
        )
    }

    init(port: Int, pid: Int32) {
        self.port = port
        self.pid = pid
    }

    deinit { stop() }

    /// Stops the server by its pid.
    public func stop() {
        guard kill(pid, SIGKILL) == 0 else { return }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    struct EndpointError: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: Control API

    /// Calls the control API (`/__fidelity/PATH`) and returns its JSON answer.
    @discardableResult
    public func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? []
        let response = await LoopbackHTTP.request(
            port: port,
            method: method,
            path: "/__fidelity/\(path)",
            headers: ["Connection": "close", "Content-Type": "application/json"],
            body: bytes
        )
        guard response.status == 200 else {
            throw EndpointError(description: "fidelity \(method) \(path): \(response.status) \(response.body)")
        }
        return try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any] ?? [:]
    }

    /// Moves the endpoint's clock forward.
    public func advanceClock(_ seconds: Double) async throws {
        try await control("POST", "clock", ["advance": seconds])
    }

    /// Changes settings (delays, quotas, rates) from now on.
    public func set(_ settings: [String: any Sendable]) async throws {
        try await control("POST", "settings", settings)
    }

    /// Queues a fault (`kind`: 500, 503, reset, slow, lost) for the next `count` calls of `operation`.
    public func fault(_ operation: String, kind: String, count: Int = 1, table: String? = nil) async throws {
        var body: [String: Any] = ["operation": operation, "kind": kind, "count": count]
        if let table { body["table"] = table }
        try await control("POST", "faults", body)
    }

    /// One journal entry: what a request asked and what it was answered.
    public struct Entry: Sendable {
        /// The sequence number.
        public var seq: Int
        /// The operation (DescribeTable, GetResources, ...).
        public var operation: String
        /// The table the request named, if any.
        public var table: String?
        /// The access key id that signed it.
        public var caller: String
        /// The HTTP status answered.
        public var status: Int
        /// The error code answered, if any.
        public var code: String?
    }

    /// The journal, optionally filtered.
    public func journal(operation: String? = nil, table: String? = nil, since: Int = 0) async throws -> [Entry] {
        var query = "journal?since=\(since)"
        if let operation { query += "&operation=\(operation)" }
        if let table { query += "&table=\(table)" }
        let entries = try await control("GET", query)["entries"] as? [[String: Any]] ?? []
        return entries.map { entry in
            Entry(
                seq: entry["seq"] as? Int ?? 0,
                operation: entry["operation"] as? String ?? "",
                table: entry["table"] as? String,
                caller: entry["caller"] as? String ?? "",
                status: entry["status"] as? Int ?? 0,
                code: entry["code"] as? String
            )
        }
    }
}

/// The shared endpoint's pid, for the exit hook (written once, before the hook is registered).
nonisolated(unsafe) private var sharedFidelityPid: Int32 = 0
