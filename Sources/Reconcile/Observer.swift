public import AWSCore
public import DynamoDBControl
public import Manifest

/// Reads what DynamoDB and KMS report, with bounded concurrency.
public struct Observer: Sendable {
    /// The control of each region.
    public let controls: @Sendable (String) -> any TableControl
    /// Most tables observed at once.
    public let maxConcurrency: Int

    /// Creates an observer.
    public init(maxConcurrency: Int, controls: @escaping @Sendable (String) -> any TableControl) {
        self.controls = controls
        self.maxConcurrency = max(1, maxConcurrency)
    }

    /// One table's state: four calls (DescribeTable, DescribeTimeToLive, DescribeContinuousBackups,
    /// ListTagsOfResource), or nil when the table does not exist.
    /// Whether a table answers the calls beyond DescribeTable (one being created or deleted may not).
    static func isSettled(_ description: TableDescription) -> Bool {
        isSettled(description.TableStatus)
    }

    /// Whether a table in `status` answers its TTL, PITR and tag reads (ACTIVE or UPDATING).
    static func isSettled(_ status: String?) -> Bool {
        status == nil || status == "ACTIVE" || status == "UPDATING"
    }

    /// A table from its description and, when read, its TTL, backups and tags.
    static func compose(_ description: TableDescription, region: String, extras: TableExtras?) -> ObservedTable {
        var table = ObservedTable(
            region: region,
            description: description,
            timeToLive: extras?.timeToLive ?? TimeToLiveDescription(TimeToLiveStatus: "DISABLED", AttributeName: nil),
            backups: extras?.backups ?? ContinuousBackupsDescription(),
            tags: extras?.tags ?? []
        )
        for index in table.replicas.indices {
            guard let read = extras?.replicas[table.replicas[index].region] else { continue }
            let replica = ObservedTable(
                region: table.replicas[index].region,
                description: read.description,
                timeToLive: TimeToLiveDescription(TimeToLiveStatus: "DISABLED", AttributeName: nil),
                backups: read.backups,
                tags: []
            )
            table.replicas[index].encryption = replica.encryption
            table.replicas[index].pointInTimeRecovery = replica.pointInTimeRecovery
            table.replicas[index].deletionProtection = replica.deletionProtection
        }
        return table
    }

    /// A table with everything Tablekeeper compares (for one-off reads: a CreateTable answered ResourceInUse,
    /// `adopt`); nil when it does not exist.
    public static func observeTable(
        _ name: String,
        region: String,
        control: any TableControl
    ) async throws(AWSError) -> ObservedTable? {
        guard let description = try await control.describeTable(name) else { return nil }
        // A table that is being created or deleted may not answer the other calls yet.
        guard isSettled(description), let arn = description.TableArn else {
            return compose(description, region: region, extras: nil)
        }
        let extras = TableExtras(
            timeToLive: try await control.describeTimeToLive(name),
            backups: try await control.describeContinuousBackups(name),
            tags: try await control.listTags(arn),
            readAt: .now
        )
        return compose(description, region: region, extras: extras)
    }

    /// What the orphan sweep needs of a table no manifest names: its description and tags, whatever its status
    /// (a managed table that is CREATING or INACCESSIBLE is found too), never TTL or backups.
    public static func observeForSweep(
        _ name: String,
        region: String,
        control: any TableControl
    ) async throws(AWSError) -> ObservedTable? {
        guard let description = try await control.describeTable(name) else { return nil }
        let tags = description.TableArn == nil ? [] : try await control.listTags(description.TableArn!)
        return compose(description, region: region, extras: .tagsOnly(tags))
    }

    /// The keys specs need: each region's AWS managed key and every customer key named.
    static func wantedKeys(_ specs: [TableSpec]) -> Set<RegionKey> {
        var wanted: Set<RegionKey> = []
        for spec in specs {
            wanted.insert(RegionKey(region: spec.region, key: EncryptionSpec.awsManagedKeyAlias))
            if let key = spec.encryption.keyToResolve { wanted.insert(RegionKey(region: spec.region, key: key)) }
            // Each replica's key, and the AWS managed key, in the replica's own region.
            for replica in spec.replicas {
                wanted.insert(RegionKey(region: replica.region, key: EncryptionSpec.awsManagedKeyAlias))
                if let key = spec.encryption(of: replica).keyToResolve {
                    wanted.insert(RegionKey(region: replica.region, key: key))
                }
            }
        }
        return wanted
    }

    /// DescribeKey of each key, at once.
    func resolve(_ wanted: Set<RegionKey>) async -> KeyResolution {
        let controls = self.controls
        let list = Array(wanted)
        let results = await list.concurrentMap(limit: maxConcurrency) { item -> Result<KeyMetadata, AWSError> in
            do throws(AWSError) {
                return .success(try await controls(item.region).describeKey(item.key))
            } catch {
                return .failure(error)
            }
        }
        return KeyResolution(results: Dictionary(uniqueKeysWithValues: zip(list, results)))
    }
}

/// A key identifier in a region.
public struct RegionKey: Hashable, Sendable {
    /// The region.
    public var region: String
    /// The key id, key ARN, alias or alias ARN.
    public var key: String

    /// A key identifier in a region.
    public init(region: String, key: String) {
        self.region = region
        self.key = key
    }
}

/// The KMS keys resolved this cycle.
public struct KeyResolution: Sendable {
    /// DescribeKey results.
    public var results: [RegionKey: Result<KeyMetadata, AWSError>]

    /// Resolutions from DescribeKey results.
    public init(results: [RegionKey: Result<KeyMetadata, AWSError>]) {
        self.results = results
    }

    /// The region's AWS managed key ARN, nil when it does not exist yet.
    public func awsManagedKeyArn(region: String) -> String? {
        guard case .success(let metadata)? = results[RegionKey(region: region, key: EncryptionSpec.awsManagedKeyAlias)]
        else { return nil }
        return metadata.Arn
    }

    /// The resolved encryption of a spec.
    public func resolve(_ spec: TableSpec) -> ResolvedEncryption {
        resolve(spec.encryption, region: spec.region)
    }

    /// The resolved encryption of each replica of a spec, by region.
    public func resolveReplicas(_ spec: TableSpec) -> [String: ResolvedEncryption] {
        Dictionary(
            uniqueKeysWithValues: spec.replicas.map { ($0.region, resolve(spec.encryption(of: $0), region: $0.region)) }
        )
    }

    /// The resolved encryption of `encryption` in `region`.
    public func resolve(_ encryption: EncryptionSpec, region: String) -> ResolvedEncryption {
        switch encryption.type {
        case .awsOwned:
            return .awsOwned
        case .kms:
            // DescribeKey on alias/aws/dynamodb creates the key on real AWS; an emulator may answer
            // NotFound until a table uses it, which only means no table can be using it yet. Any other failure
            // (AccessDenied where IAM limits DescribeKey to customer keys, throttling, the network) leaves the
            // table's key unknown: never a diff, never an UpdateTable that spends the key-switch quota.
            let alias = EncryptionSpec.awsManagedKeyAlias
            if case .failure(let error)? = results[RegionKey(region: region, key: alias)], error.kind != .notFound {
                return .unresolvable(
                    "the AWS managed key (\(alias)) could not be looked up, so the table's encryption cannot be "
                        + "compared and nothing is changed: \(error); allow kms:DescribeKey on it"
                )
            }
            return .awsManaged(keyArn: awsManagedKeyArn(region: region))
        case .customerKey:
            let key = encryption.kmsKeyArn ?? ""
            switch results[RegionKey(region: region, key: key)] {
            case .success(let metadata)?:
                if let state = metadata.KeyState, state != "Enabled" {
                    return .unresolvable("KMS key \(key) is \(state); enable it or choose another key")
                }
                guard let arn = metadata.Arn else { return .unresolvable("KMS DescribeKey returned no ARN for \(key)") }
                return .customerKey(keyArn: arn)
            case .failure(let error)?:
                return .unresolvable("KMS key \(key) cannot be used: \(error)")
            case nil:
                return .unresolvable("KMS key \(key) was not resolved")
            }
        }
    }
}
