import Foundation
import TestSupport
import Testing

/// `tablekeeper validate` and `tablekeeper schema` as a user runs them.
@Suite("validate and schema commands")
struct ValidateCommandTests {
    static let corpus = RepositoryPaths.path("Tests/ManifestTests/Corpus")

    static let expectations: [(file: String, line: String)] = {
        let text = (try? String(contentsOfFile: "\(corpus)/bad/expected.txt", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), String(parts[1].dropFirst()))
        }
    }()

    @Test("every bad manifest exits 1 naming its file, JSON path and fix", arguments: expectations.map(\.file))
    func badManifest(file: String) async throws {
        let expected = try #require(Self.expectations.first { $0.file == file }?.line)
        let path = "\(Self.corpus)/bad/\(file)"
        let result = try await ProcessRunner.tablekeeper(["validate", path])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").contains { $0 == "\(path): \(expected)" }, "\(result.stderr)")
    }

    @Test("the example manifests and the good corpus are valid")
    func goodManifests() async throws {
        let result = try await ProcessRunner.tablekeeper([
            "validate", RepositoryPaths.path("manifests"), "\(Self.corpus)/good",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "13 manifests valid\n")
    }

    @Test("the same table in two files invalidates both, naming both")
    func duplicates() async throws {
        let folder = TemporaryDirectory()
        let text = #"{"tableName": "orders", "partitionKey": {"name": "id", "type": "S"}}"#
        try folder.write("a.json", text)
        try folder.write("nested/b.json", text)
        let result = try await ProcessRunner.tablekeeper(["validate", folder.path])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("a.json: $.tableName: table \"orders\" in the default region is also defined in")
        )
        #expect(result.stderr.contains("nested/b.json: $.tableName"))
    }

    @Test("a folder without manifests is an error, not a silent success")
    func emptyFolder() async throws {
        let folder = TemporaryDirectory()
        let result = try await ProcessRunner.tablekeeper(["validate", folder.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no manifests found"))
    }

    @Test("schema prints exactly manifests/table.schema.json, and --version answers")
    func schemaAndVersion() async throws {
        let schema = try await ProcessRunner.tablekeeper(["schema"])
        #expect(schema.status == 0)
        #expect(
            schema.stdout
                == (try String(contentsOfFile: RepositoryPaths.path("manifests/table.schema.json"), encoding: .utf8))
        )
        let version = try await ProcessRunner.tablekeeper(["--version"])
        #expect(version.status == 0)
        #expect(!version.stdout.isEmpty)
    }

    @Test("every command has help with an example", arguments: ["run", "plan", "status", "validate", "schema"])
    func help(command: String) async throws {
        let result = try await ProcessRunner.tablekeeper([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example"))
    }
}
