import Foundation
import TestSupport
import Testing

/// The least-privilege policy that ships names every action the code calls, and nothing it does not.
@Suite("IAM policy")
struct IAMPolicyTests {
    /// `service:Operation` for every `client.call("Operation"` in a source folder, by the client's service.
    func calledActions() throws -> Set<String> {
        let prefixes = [
            "DynamoDBClient.swift": "dynamodb", "DynamoDBClient+Items.swift": "dynamodb", "KMSClient": "kms",
            "TaggingClient.swift": "tag", "AutoScalingClient.swift": "application-autoscaling",
        ]
        var actions: Set<String> = []
        let folder = RepositoryPaths.path("Sources/DynamoDBControl")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)
            // KMSClient lives in DynamoDBClient.swift after `struct KMSClient`.
            let parts =
                file == "DynamoDBClient.swift"
                ? text.components(separatedBy: "public struct KMSClient").enumerated().map {
                    ($0.offset == 0 ? "dynamodb" : "kms", $0.element)
                } : [(prefixes[file] ?? "", text)]
            for (prefix, part) in parts where !prefix.isEmpty {
                var rest = Substring(part)
                while let call = rest.firstRange(of: "client.call(") {
                    rest = rest[call.upperBound...]
                    let quoted = rest.drop { $0 != "\"" }.dropFirst()
                    let name = quoted.prefix { $0 != "\"" }
                    actions.insert("\(prefix):\(name)")
                }
            }
        }
        return actions
    }

    /// What DynamoDB checks the caller may do when it adds a replica (DevGuide, global tables IAM): it creates the
    /// replica table and copies the items on the caller's behalf.
    static let replication: Set<String> = [
        "dynamodb:CreateTableReplica", "dynamodb:Scan", "dynamodb:Query", "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
    ]

    @Test("deploy/iam-policy.json allows every call the daemon makes, and the README shows the same policy")
    func policyCoversCalls() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: RepositoryPaths.path("deploy/iam-policy.json")))
        let policy = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let statements = try #require(policy["Statement"] as? [[String: Any]])
        let allowed = Set(statements.flatMap { $0["Action"] as? [String] ?? [] })
        let called = try calledActions()
        #expect(called.count >= 16, "\(called.sorted())")
        #expect(called.isSubset(of: allowed), "missing: \(called.subtracting(allowed).sorted())")
        // Only the KMS grants DynamoDB needs for customer keys, the service-linked role Application Auto Scaling
        // makes on an account's first DynamoDB target, and the CloudWatch alarms it checks the caller may manage
        // for a target-tracking policy, go beyond what the code calls itself.
        let extra = allowed.subtracting(called).filter {
            (!$0.hasPrefix("kms:") || $0 == "kms:DescribeKey") && $0 != "iam:CreateServiceLinkedRole"
                && !$0.hasPrefix("cloudwatch:") && !Self.replication.contains($0)
        }
        #expect(extra.isEmpty, "allowed but never called: \(extra.sorted())")
        let readme = try String(contentsOfFile: RepositoryPaths.path("README.md"), encoding: .utf8)
        for action in allowed { #expect(readme.contains("\"\(action)\""), "README lacks \(action)") }
    }
}
