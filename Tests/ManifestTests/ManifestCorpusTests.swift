import Foundation
import Manifest
import TestSupport
import Testing

@Suite("Manifest corpus")
struct ManifestCorpusTests {
    static let corpus = Bundle.module.resourceURL!.appendingPathComponent("Corpus")

    /// `expected.txt` holds one line per bad manifest: `NAME.json: $.path: problem (fix)`.
    static let expectations: [String: String] = {
        let text = try! String(contentsOf: corpus.appendingPathComponent("bad/expected.txt"), encoding: .utf8)
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            result[String(parts[0])] = String(parts[1].dropFirst())
        }
        return result
    }()

    static func files(in folder: String) -> [String] {
        let names = try! FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(folder).path)
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test("the corpus has at least 40 bad manifests, each with its expected message")
    func corpusIsComplete() {
        let bad = Self.files(in: "bad")
        #expect(bad.count >= 40)
        #expect(Set(bad) == Set(Self.expectations.keys))
    }

    @Test("each bad manifest is rejected with its file, JSON path and fix", arguments: files(in: "bad"))
    func badManifest(name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent("bad/\(name)")))
        let result = ManifestDecoder.decode(bytes, file: name, defaults: ManifestDefaults(region: "us-east-1"))
        guard case .failure(let errors) = result else {
            Issue.record("\(name) was accepted")
            return
        }
        let lines = errors.errors.map(\.messageWithoutFile)
        #expect(lines.contains(Self.expectations[name] ?? "<no expectation>"), "\(lines)")
        for error in errors.errors {
            #expect(error.file == name)
            #expect(error.path.hasPrefix("$"))
            #expect(error.description.hasPrefix("\(name): $"))
            #expect(error.description.hasSuffix(")"))
        }
    }

    @Test("each good manifest is accepted", arguments: files(in: "good"))
    func goodManifest(name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent("good/\(name)")))
        let result = ManifestDecoder.decode(bytes, file: name, defaults: ManifestDefaults(region: "eu-west-1"))
        if case .failure(let errors) = result {
            Issue.record("\(name): \(errors.errors.map(\.description))")
        }
    }

    @Test("the example manifests are the three production tables")
    func exampleManifests() throws {
        let (files, readErrors) = ManifestDirectory.read([RepositoryPaths.path("manifests")])
        #expect(readErrors.isEmpty)
        let set = ManifestSet.load(files, defaults: ManifestDefaults(region: "us-east-1"))
        #expect(set.invalid.isEmpty)
        let byName = Dictionary(uniqueKeysWithValues: set.manifests.map { ($0.spec.tableName, $0.spec) })
        #expect(Set(byName.keys) == ["sentinel-requests", "sentinel-breakglass", "sentinel-sessions"])
        let expectedIndexes = [
            "sentinel-requests": ["gsi-requester", "gsi-status", "gsi-profile"],
            "sentinel-breakglass": ["gsi-invoker", "gsi-status", "gsi-profile"],
            "sentinel-sessions": ["gsi-user", "gsi-status", "gsi-profile", "gsi-server-instance"],
        ]
        for (name, spec) in byName {
            #expect(spec.partitionKey == KeyAttribute(name: "id", type: .string))
            #expect(spec.globalSecondaryIndexes.map(\.name) == expectedIndexes[name])
            #expect(spec.ttlAttribute == "ttl")
            #expect(spec.billingMode == .payPerRequest)
            #expect(spec.encryption == .kms)
            #expect(spec.deletionProtection)
            #expect(spec.pointInTimeRecovery)
            for index in spec.globalSecondaryIndexes where index.name != "gsi-server-instance" {
                #expect(index.sortKey == KeyAttribute(name: "created_at", type: .string))
                #expect(index.projection == .all)
            }
        }
        let serverInstance = byName["sentinel-sessions"]?.globalSecondaryIndexes.last
        #expect(serverInstance?.partitionKey.name == "server_instance_id")
        #expect(serverInstance?.sortKey?.name == "status")
    }
}
