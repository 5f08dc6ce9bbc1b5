import Foundation
import Manifest
import TestSupport
import Testing

@Suite("JSON Schema")
struct ManifestSchemaTests {
    @Test("manifests/table.schema.json is exactly what `tablekeeper schema` prints")
    func committedSchemaIsCurrent() throws {
        let committed = try String(contentsOfFile: RepositoryPaths.path("manifests/table.schema.json"), encoding: .utf8)
        #expect(committed == ManifestSchema.text, "run: tablekeeper schema > manifests/table.schema.json")
    }

    @Test("the schema names every top-level manifest key")
    func everyKey() throws {
        let schema = try JSONParser.parse(ManifestSchema.text)
        guard case .object(let properties)? = schema["properties"] else {
            Issue.record("no properties")
            return
        }
        #expect(
            properties.map(\.key) == [
                "$schema", "tableName", "region", "partitionKey", "sortKey", "billingMode", "provisionedThroughput",
                "globalSecondaryIndexes", "localSecondaryIndexes", "ttlAttribute", "stream", "pointInTimeRecovery",
                "deletionProtection", "tableClass", "tags", "encryption", "autoScaling", "onDemandThroughput",
                "warmThroughput", "replicas", "suspended",
            ]
        )
        #expect(schema["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema")
    }
}
