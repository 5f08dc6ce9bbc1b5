import Foundation
import StatusLog
import TestSupport

/// A user's setup: a git remote holding manifests, a fidelity endpoint (moto plus DynamoDB's real behaviour),
/// a config file, and the real binary.
final class Scenario: Sendable {
    let folder = TemporaryDirectory("tablekeeper-e2e")
    let git: GitFixture
    let aws: FidelityEndpoint
    let region = "us-east-1"

    let ownsServer: Bool
    /// The daemon's HTTP port (each scenario its own, so daemons can run side by side).
    let httpPort: Int
    /// The webhook secret, written to a file named in the config.
    static let webhookSecret = "test-webhook-secret-0123456789"

    /// A scenario with its own endpoint (other scenarios' managed tables would be orphans here).
    init(
        files: [String: String],
        aws: FidelityEndpoint? = nil,
        policy: String = "{}",
        interval: String = "2s",
        sourceURL: String? = nil,
        awsEndpoint: String? = nil,
        scope: String? = nil,
        awsExtra: String = ""
    ) async throws {
        self.git = try await GitFixture(files: files)
        self.httpPort = try MotoServer.freePort()
        let server: FidelityEndpoint
        if let aws { server = aws } else { server = try await FidelityEndpoint.start() }
        self.aws = server
        self.ownsServer = aws == nil
        try folder.write("webhook-secret", Self.webhookSecret + "\n", mode: 0o600)
        try folder.write(
            "config.json",
            """
            {
              "source": {"url": "\(sourceURL ?? git.url)", "allowLocal": true, "branch": "main", "path": "manifests", "interval": "\(interval)",
                         "cacheDirectory": "\(folder.file("cache/repo"))"},
              "aws": {"region": "\(region)", "endpoint": "\(awsEndpoint ?? server.endpoint)"\(awsExtra)},
              "policy": \(policy),\(scope.map { "\n  \"scope\": \($0)," } ?? "")
              "statusLog": {"path": "\(folder.file("status.jsonl"))"},
              "http": {"listen": "127.0.0.1:\(httpPort)", "webhookSecretFile": "\(folder.file("webhook-secret"))"}
            }
            """
        )
    }

    deinit {
        if ownsServer { aws.stop() }
    }

    var configPath: String { folder.file("config.json") }
    var statusLogPath: String { folder.file("status.jsonl") }

    static let environment = [
        "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_REGION": "us-east-1",
    ]

    @discardableResult
    func tablekeeper(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.tablekeeper(arguments, environment: Self.environment)
    }

    /// Starts `tablekeeper run`; its log goes to `logPath` when given.
    func startDaemon(
        logLevel: String = "warning",
        logPath: String? = nil,
        environment: [String: String] = [:]
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.binary)
        process.arguments = ["run", "--config", configPath, "--log-level", logLevel]
        process.environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }
            .merging(["AWS_EC2_METADATA_DISABLED": "true"]) { $1 }.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        if let logPath {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: logPath)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Starts `tablekeeper run` as systemd starts the shipped unit: `NOTIFY_SOCKET`, `WATCHDOG_USEC`,
    /// `WATCHDOG_PID` set to the daemon's own pid (through an exec wrapper, as systemd sets it for the main
    /// process), and the `*_DIRECTORY` variables of the directories `deploy/tablekeeper.service` asks for.
    func startAsSystemd(notifySocket: String, watchdogUsec: Int = 1_000_000) throws -> Process {
        let unit = try String(contentsOfFile: RepositoryPaths.path("deploy/tablekeeper.service"), encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["NOTIFY_SOCKET"] = notifySocket
        environment["WATCHDOG_USEC"] = String(watchdogUsec)
        for line in unit.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].hasSuffix("Directory"), !parts[0].contains("Working") else { continue }
            // StateDirectory=tablekeeper -> STATE_DIRECTORY=<a folder of this scenario>/state/tablekeeper
            let kind = String(parts[0].dropLast("Directory".count))
            let folderPath = folder.file("\(kind.lowercased())/\(parts[1])")
            try FileManager.default.createDirectory(atPath: folderPath, withIntermediateDirectories: true)
            environment["\(kind.uppercased())_DIRECTORY"] = folderPath
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #"WATCHDOG_PID=$$ exec "$0" "$@""#, RepositoryPaths.binary, "run", "--config", configPath,
            "--log-level", "warning",
        ]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes.
    static func waitUntil(_ timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func runOnce() async throws -> ProcessResult {
        try await tablekeeper(["run", "--config", configPath, "--once"])
    }

    /// Runs `run --once` until a cycle leaves nothing pending, created or updated (as tables take time to
    /// become ACTIVE on DynamoDB and on the fidelity endpoint); returns the last run.
    func runUntilSettled(_ timeout: Duration = .seconds(30)) async throws -> ProcessResult {
        let deadline = ContinuousClock.now + timeout
        while true {
            let result = try await runOnce()
            let counts = try await status()["lastCycle"].flatMap { ($0 as? [String: Any])?["counts"] as? [String: Int] }
            let busy = ["pending", "created", "updated"].reduce(0) { $0 + (counts?[$1] ?? 0) }
            if busy == 0 || ContinuousClock.now > deadline { return result }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    /// `tablekeeper status --json`, parsed.
    func status() async throws -> [String: Any] {
        let result = try await tablekeeper(["status", "--config", configPath, "--json"])
        // No log yet (the daemon has not finished a cycle): nothing to report.
        guard !result.stdout.isEmpty else { return [:] }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// The current outcome of each table, from `status --json`.
    func outcomes() async throws -> [String: String] {
        let tables = try await status()["tables"] as? [[String: Any]] ?? []
        return Dictionary(
            uniqueKeysWithValues: tables.map { ($0["table"] as? String ?? "", $0["outcome"] as? String ?? "") }
        )
    }

    func records() -> [StatusRecord] {
        StatusLogReader.read(path: statusLogPath).records
    }

    /// Runs a boto3 snippet against the endpoint (the endpoint is `endpoint`, clients `ddb` and `kms`).
    @discardableResult
    func boto(_ code: String) async throws -> String {
        let prelude = """
            import boto3, json, sys
            endpoint = sys.argv[1]
            ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                               aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret")
            kms = boto3.client("kms", endpoint_url=endpoint, region_name="us-east-1",
                               aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret")
            def wait_active(name):
                # Tables take time to become ACTIVE, as on DynamoDB.
                import time
                for _ in range(200):
                    try:
                        t = ddb.describe_table(TableName=name)["Table"]
                        if t["TableStatus"] == "ACTIVE" and all(
                                i["IndexStatus"] == "ACTIVE" for i in t.get("GlobalSecondaryIndexes", [])):
                            return t
                    except ddb.exceptions.ResourceNotFoundException:
                        pass
                    time.sleep(0.1)
                raise SystemExit(f"{name} did not become ACTIVE")

            """
        let result = try await ProcessRunner.run("/usr/bin/env", ["python3", "-c", prelude + code, aws.endpoint])
        if result.status != 0 { throw ScenarioError(description: result.stderr) }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct ScenarioError: Error, CustomStringConvertible {
        var description: String
    }

    /// A manifest for a uniquely named table.
    static func manifest(_ name: String, indexes: [String] = ["gsi-status"], extra: String = "") -> String {
        let list = indexes.map { index in
            #"{"indexName": "\#(index)", "partitionKey": {"name": "\#(index.dropFirst(4))", "type": "S"}}"#
        }
        return """
            {"tableName": "\(name)", "partitionKey": {"name": "id", "type": "S"},
             "globalSecondaryIndexes": [\(list.joined(separator: ", "))],
             "ttlAttribute": "ttl", "pointInTimeRecovery": true\(extra)}
            """
    }

    /// `X-Hub-Signature-256` for a body as GitHub sends it, computed with openssl so no test reuses the daemon's
    /// own code.
    static func sign(_ body: String, secret: String = webhookSecret) async throws -> String {
        let result = try await ProcessRunner.run(
            "/usr/bin/openssl",
            ["dgst", "-sha256", "-hmac", secret],
            input: Data(body.utf8)
        )
        return "sha256="
            + (result.stdout.split(separator: " ").last.map(String.init) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends a signed webhook to the scenario's daemon; returns the reply.
    func webhook(_ body: String) async throws -> LoopbackHTTP.Response {
        await LoopbackHTTP.request(
            port: httpPort,
            method: "POST",
            path: "/hooks/git",
            headers: ["X-Hub-Signature-256": try await Self.sign(body)],
            body: Array(body.utf8)
        )
    }

    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
