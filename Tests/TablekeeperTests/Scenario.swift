import Foundation
import StatusLog
import TestSupport

/// A user's setup: a git remote holding manifests, a moto endpoint, a config file, and the real binary.
final class Scenario: Sendable {
    let folder = TemporaryDirectory("tablekeeper-e2e")
    let git: GitFixture
    let moto: MotoServer
    let region = "us-east-1"

    let ownsServer: Bool

    /// A scenario with its own moto server (other scenarios' managed tables would be orphans here).
    init(files: [String: String], moto: MotoServer? = nil, policy: String = "{}", extraConfig: String = "") throws {
        self.git = try GitFixture(files: files)
        let server = try moto ?? MotoServer.start()
        self.moto = server
        self.ownsServer = moto == nil
        try folder.write(
            "config.json",
            """
            {
              "source": {"url": "\(git.url)", "branch": "main", "path": "manifests", "interval": "2s",
                         "cacheDirectory": "\(folder.file("cache/repo"))"},
              "aws": {"region": "\(region)", "endpoint": "\(server.endpoint)"},
              "policy": \(policy),
              "statusLog": {"path": "\(folder.file("status.jsonl"))"}\(extraConfig)
            }
            """
        )
    }

    deinit {
        if ownsServer { moto.stop() }
    }

    var configPath: String { folder.file("config.json") }
    var statusLogPath: String { folder.file("status.jsonl") }

    static let environment = [
        "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_REGION": "us-east-1",
    ]

    @discardableResult
    func tablekeeper(_ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.tablekeeper(arguments, environment: Self.environment)
    }

    func runOnce() throws -> ProcessResult {
        try tablekeeper(["run", "--config", configPath, "--once"])
    }

    /// `tablekeeper status --json`, parsed.
    func status() throws -> [String: Any] {
        let result = try tablekeeper(["status", "--config", configPath, "--json"])
        // No log yet (the daemon has not finished a cycle): nothing to report.
        guard !result.stdout.isEmpty else { return [:] }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// The current outcome of each table, from `status --json`.
    func outcomes() throws -> [String: String] {
        let tables = try status()["tables"] as? [[String: Any]] ?? []
        return Dictionary(
            uniqueKeysWithValues: tables.map { ($0["table"] as? String ?? "", $0["outcome"] as? String ?? "") }
        )
    }

    func records() -> [StatusRecord] {
        StatusLogReader.read(path: statusLogPath).records
    }

    /// Runs a boto3 snippet against the moto endpoint (the endpoint is `endpoint`, clients `ddb` and `kms`).
    @discardableResult
    func boto(_ code: String) throws -> String {
        let prelude = """
            import boto3, json, sys
            endpoint = sys.argv[1]
            ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                               aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret")
            kms = boto3.client("kms", endpoint_url=endpoint, region_name="us-east-1",
                               aws_access_key_id="AKIDTEST", aws_secret_access_key="test-secret")

            """
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", prelude + code, moto.endpoint])
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

    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
