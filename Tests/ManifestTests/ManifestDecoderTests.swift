import Manifest
import Testing

@Suite("Manifest decoding")
struct ManifestDecoderTests {
    func decode(_ text: String, defaults: ManifestDefaults = ManifestDefaults(region: "us-east-1")) -> TableSpec? {
        try? ManifestDecoder.decode(Array(text.utf8), file: "t.json", defaults: defaults).get()
    }

    func errors(_ text: String) -> [String] {
        guard case .failure(let errors) = ManifestDecoder.decode(Array(text.utf8), file: "t.json", defaults: .init())
        else { return [] }
        return errors.errors.map(\.messageWithoutFile)
    }

    @Test("every field is decoded")
    func everyField() throws {
        let spec = try #require(
            decode(
                """
                {"tableName": "sentinel-requests", "region": "us-east-1",
                 "partitionKey": {"name": "id", "type": "S"}, "sortKey": {"name": "created_at", "type": "S"},
                 "billingMode": "PROVISIONED", "provisionedThroughput": {"readCapacityUnits": 5, "writeCapacityUnits": 6},
                 "globalSecondaryIndexes": [{"indexName": "gsi-status", "partitionKey": {"name": "status", "type": "S"},
                   "sortKey": {"name": "created_at", "type": "S"}, "projection": "INCLUDE", "nonKeyAttributes": ["b", "a"],
                   "provisionedThroughput": {"readCapacityUnits": 2, "writeCapacityUnits": 3}}],
                 "localSecondaryIndexes": [{"indexName": "lsi-by-profile", "sortKey": {"name": "profile", "type": "S"},
                   "projection": "KEYS_ONLY"}],
                 "ttlAttribute": "ttl", "stream": "NEW_AND_OLD_IMAGES", "pointInTimeRecovery": true,
                 "deletionProtection": true, "tableClass": "STANDARD_INFREQUENT_ACCESS", "tags": {"team": "security"},
                 "encryption": {"type": "CUSTOMER_KEY", "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:alias/sentinel"}}
                """
            )
        )
        let expected = TableSpec(
            tableName: "sentinel-requests",
            region: "us-east-1",
            partitionKey: KeyAttribute(name: "id", type: .string),
            sortKey: KeyAttribute(name: "created_at", type: .string),
            billingMode: .provisioned,
            throughput: Throughput(read: 5, write: 6),
            globalSecondaryIndexes: [
                GlobalSecondaryIndex(
                    name: "gsi-status",
                    partitionKey: KeyAttribute(name: "status", type: .string),
                    sortKey: KeyAttribute(name: "created_at", type: .string),
                    projection: .include(["a", "b"]),
                    throughput: Throughput(read: 2, write: 3)
                )
            ],
            localSecondaryIndexes: [
                LocalSecondaryIndex(
                    name: "lsi-by-profile",
                    sortKey: KeyAttribute(name: "profile", type: .string),
                    projection: .keysOnly
                )
            ],
            ttlAttribute: "ttl",
            stream: .newAndOldImages,
            pointInTimeRecovery: true,
            deletionProtection: true,
            tableClass: .standardInfrequentAccess,
            tags: ["team": "security"],
            encryption: .customerKey("arn:aws:kms:us-east-1:111122223333:alias/sentinel")
        )
        #expect(spec == expected)
        #expect(spec.keyAttributes.map(\.name) == ["created_at", "id", "profile", "status"])
    }

    @Test("defaults apply to everything a manifest leaves out")
    func defaults() throws {
        let spec = try #require(decode(#"{"tableName": "orders", "partitionKey": {"name": "id", "type": "N"}}"#))
        #expect(spec.region == "us-east-1")
        #expect(spec.billingMode == .payPerRequest)
        #expect(spec.throughput == nil)
        #expect(spec.sortKey == nil)
        #expect(spec.globalSecondaryIndexes.isEmpty && spec.localSecondaryIndexes.isEmpty)
        #expect(spec.ttlAttribute == nil && spec.stream == nil)
        #expect(!spec.pointInTimeRecovery && !spec.deletionProtection)
        #expect(spec.tableClass == .standard)
        #expect(spec.tags.isEmpty)
        #expect(spec.encryption == .kms)
    }

    @Test("the config's default encryption applies when a manifest names none")
    func configuredDefaultEncryption() throws {
        let key = EncryptionSpec.customerKey("arn:aws:kms:eu-west-1:111122223333:alias/tables")
        let text = #"{"tableName": "orders", "region": "eu-west-1", "partitionKey": {"name": "id", "type": "S"}}"#
        let spec = try #require(decode(text, defaults: ManifestDefaults(region: "us-east-1", encryption: key)))
        #expect(spec.encryption == key)
        #expect(spec.region == "eu-west-1")
        let optOut = try #require(
            decode(
                #"{"tableName": "orders", "partitionKey": {"name": "id", "type": "S"}, "encryption": {"type": "DEFAULT"}}"#,
                defaults: ManifestDefaults(region: "us-east-1", encryption: key)
            )
        )
        #expect(optOut.encryption == .awsOwned)
    }

    @Test("all errors of a file are reported at once")
    func allErrorsAtOnce() {
        let found = errors(
            #"{"tableName": "x", "partitionKey": {"name": "id", "type": "Q"}, "stream": true, "tags": {"aws:x": "y"}}"#
        )
        #expect(found.count == 4)
        #expect(found.contains { $0.hasPrefix("$.tableName:") })
        #expect(found.contains { $0.hasPrefix("$.partitionKey.type:") })
        #expect(found.contains { $0.hasPrefix("$.stream:") })
        #expect(found.contains { $0.hasPrefix(#"$.tags["aws:x"]:"#) })
    }

    @Test(
        "hostile input never crashes",
        arguments: [
            String(repeating: "[", count: 100_000),
            String(repeating: "{\"a\":", count: 10_000),
            "{\"tableName\": \"orders\", \"partitionKey\": {\"name\": \"id\", \"type\": \"S\"}, \"x\": 1e999999}",
            "\u{0}\u{1}\u{2}",
            "{\"tableName\": \"\\ud800\"}",
            "-",
            "{\"tableName\": 18446744073709551616}",
        ]
    )
    func hostileInput(text: String) {
        #expect(!errors(text).isEmpty)
    }

    @Test("a 10 MB file is refused without being parsed")
    func tenMegabytes() {
        let big = [UInt8](repeating: UInt8(ascii: " "), count: 10 << 20) + Array("{}".utf8)
        guard case .failure(let errors) = ManifestDecoder.decode(big, file: "big.json", defaults: .init()) else {
            Issue.record("accepted")
            return
        }
        #expect(errors.errors.first?.problem.contains("over the 1048576-byte limit") == true)
    }

    @Test("the same table in the same region in two files invalidates both, naming both")
    func duplicateTables() {
        let text = #"{"tableName": "orders", "partitionKey": {"name": "id", "type": "S"}}"#
        let other = #"{"tableName": "orders", "region": "eu-west-1", "partitionKey": {"name": "id", "type": "S"}}"#
        let files = [
            ManifestFile(path: "a.json", bytes: Array(text.utf8)),
            ManifestFile(path: "b/c.json", bytes: Array(text.utf8)),
            ManifestFile(path: "d.json", bytes: Array(other.utf8)),
        ]
        let set = ManifestSet.load(files, defaults: ManifestDefaults(region: "us-east-1"))
        #expect(set.manifests.map(\.path) == ["d.json"])
        #expect(set.invalid["a.json"]?.first?.problem.contains("also defined in b/c.json") == true)
        #expect(set.invalid["b/c.json"]?.first?.problem.contains("also defined in a.json") == true)
    }

    @Test("typos get a did-you-mean hint")
    func spelling() {
        #expect(
            errors(#"{"tableName": "orders", "partitionkey": {"name": "id", "type": "S"}}"#).contains {
                $0.contains("did you mean \"partitionKey\"?")
            }
        )
        #expect(
            errors(#"{"tableName": "orders", "partitionKey": {"name": "id", "type": "S"}, "ttl": "x"}"#).contains {
                // Too far from any key for a guess: the allowed keys are listed instead.
                $0.contains("unknown key \"ttl\"") && $0.contains("allowed keys here:") && $0.contains("ttlAttribute")
            }
        )
    }
}

@Suite("Manifest writer")
struct ManifestWriterTests {
    @Test("a written manifest decodes to the same table", arguments: [true, false])
    func roundTrip(provisioned: Bool) throws {
        let spec = TableSpec(
            tableName: "sentinel-requests",
            region: "eu-west-1",
            partitionKey: KeyAttribute(name: "id", type: .string),
            sortKey: KeyAttribute(name: "created_at", type: .number),
            billingMode: provisioned ? .provisioned : .payPerRequest,
            throughput: provisioned ? Throughput(read: 5, write: 6) : nil,
            globalSecondaryIndexes: [
                GlobalSecondaryIndex(
                    name: "gsi-status",
                    partitionKey: KeyAttribute(name: "status", type: .string),
                    projection: .include(["a", "b"]),
                    throughput: provisioned ? Throughput(read: 1, write: 2) : nil
                )
            ],
            localSecondaryIndexes: [
                LocalSecondaryIndex(
                    name: "lsi-profile",
                    sortKey: KeyAttribute(name: "profile", type: .binary),
                    projection: .keysOnly
                )
            ],
            ttlAttribute: "ttl",
            stream: .newImage,
            pointInTimeRecovery: true,
            deletionProtection: true,
            tableClass: .standardInfrequentAccess,
            tags: ["team": "security", "a b": "c"],
            encryption: .customerKey("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        )
        let text = ManifestWriter.text(spec)
        let decoded = try ManifestDecoder.decode(Array(text.utf8), file: "x.json", defaults: ManifestDefaults()).get()
        #expect(decoded == spec)
    }
}
