import AWSCore
import DynamoDBControl
import FoundationEssentials
public import GitSource
import Logging
import Manifest
import StatusLog
import SystemSupport
import TablekeeperConfig

/// A table ready to execute: its desired state, its plan and its region's context.
public struct PreparedTable: Sendable {
    /// The desired table.
    public var desired: DesiredTable
    /// The plan.
    public var plan: TablePlan
    /// The region's context.
    public var context: RegionContext
}

/// Everything known before anything is changed.
public struct PreparedCycle: Sendable {
    /// Tables with a plan.
    public var tables: [PreparedTable] = []
    /// Tables that could not be planned (invalid manifest, observe failure), as final results.
    public var settled: [TableResult] = []
    /// Tables not read because a shutdown began (they keep their last record).
    public var skipped = 0
    /// Managed tables without a manifest.
    public var orphans: [TablePlan] = []
}

extension Reconciler {
    /// Decodes, observes and plans; changes nothing.
    public func prepare(
        files: [SnapshotFile],
        problems: [String: String] = [:],
        sweepOrphans: Bool,
        only: Set<String>? = nil,
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) async -> PreparedCycle {
        var prepared = PreparedCycle()
        var set = manifestCache.load(files, defaults: settings.defaults)
        if let only {
            // A requeue: only the tables with work left, nothing else read or reported.
            set.manifests = set.manifests.filter { only.contains(Self.key($0.spec)) }
            set.invalid = [:]
        }
        for (path, errors) in set.invalid.sorted(by: { $0.key < $1.key }) {
            prepared.settled.append(invalidResult(path: path, errors: errors.map(\.description), files: files))
        }
        for (path, problem) in problems.sorted(by: { $0.key < $1.key }) {
            prepared.settled.append(invalidResult(path: path, errors: ["\(path): \(problem)"], files: files))
        }
        var specs: [LoadedManifest] = []
        for manifest in set.manifests {
            if manifest.spec.region.isEmpty {
                let error =
                    "\(manifest.path): $.region: no region given and none configured (add \"region\" or set aws.region)"
                prepared.settled.append(invalidResult(path: manifest.path, errors: [error], files: files))
            } else if let violation = scopeViolation(manifest.spec) {
                // The scope is the operator's: the pusher can only rename the table or ask for a wider scope.
                let error =
                    "\(manifest.path): \(violation.path): \(violation.problem) (fix: use a table the configuration's "
                    + "scope allows, or ask an operator to widen the scope)"
                prepared.settled.append(invalidResult(path: manifest.path, errors: [error], files: files))
            } else {
                specs.append(manifest)
            }
        }
        let keys = await resolveKeys(specs.map(\.spec))
        let blobs = Dictionary(files.map { ($0.path, $0.blob) }, uniquingKeysWith: { $1 })
        let changedRegions = Set(specs.filter { cache.blobs[$0.path] != blobs[$0.path] }.map(\.spec.region))
        let observed = await observe(specs, files: blobs, shouldStop: shouldStop)
        let scaling = await observeScaling(specs, observed: observed, changedRegions: changedRegions)
        for case .success(let table?)? in observed where table.status == "INACCESSIBLE_ENCRYPTION_CREDENTIALS" {
            dropKeys(region: table.region)
        }
        for (manifest, read) in zip(specs, observed) {
            let spec = manifest.spec
            guard let result = read else {
                prepared.skipped += 1
                continue
            }
            switch result {
            case .failure(let error):
                prepared.settled.append(
                    TableResult(
                        manifest: manifest.path,
                        table: spec.tableName,
                        region: spec.region,
                        outcome: .failed,
                        message: "could not read the table from AWS",
                        error: error.description
                    )
                )
            case .success(let table):
                let key = "\(spec.region)/\(spec.tableName)"
                // Tablekeeper's own creation, not finished: its `created` record names this very table.
                let ours = logState.isBeingCreated(key, tableCreated: table?.created)
                var desired = DesiredTable(
                    manifest: manifest.path,
                    spec: spec,
                    encryption: keys.resolve(spec),
                    adoptionAllowed: settings.scope.allowsAdopting(spec.tableName),
                    createdHere: ours,
                    // TTL counts as part of a creation only on the table Tablekeeper made (never on an adopted one,
                    // which may hold data).
                    creationTTL: ours ? logState.creationTTL(key) : nil
                )
                desired.createdTable = ours ? logState.createdTable(key) : nil
                let creation = logState.creationFields(key)
                desired.creationScaling = creation.filter { $0.contains("autoScaling") }
                desired.creationReplicas = creation.filter { $0.hasPrefix("replicas[") }
                desired.replicaEncryption = keys.resolveReplicas(spec)
                desired.suspension = suspension(spec)
                let context = RegionContext(awsManagedKeyArn: keys.awsManagedKeyArn(region: spec.region))
                let plan = Planner.plan(
                    desired: desired,
                    observed: table.map { Self.withScaling($0, scaling[spec.region]) },
                    policy: settings.policy,
                    context: context
                )
                prepared.tables.append(PreparedTable(desired: desired, plan: plan, context: context))
            }
        }
        if sweepOrphans, !shouldStop() {
            // A table named by a manifest that does not parse is invalid, never orphaned.
            // A replica table in another region is part of its global table, never an orphan.
            let named = specs.flatMap { manifest in
                ([manifest.spec.region] + manifest.spec.replicas.map(\.region)).map {
                    "\($0)/\(manifest.spec.tableName)"
                }
            }
            let invalid = prepared.settled.filter { $0.outcome == .invalid }.map { "\($0.region)/\($0.table)" }
            let known = Set(named + invalid)
            let regions = Set(specs.map(\.spec.region) + settings.extraRegions)
            let invalidPaths = Set(
                prepared.settled.filter { $0.outcome == .invalid }.compactMap(\.manifest).map(
                    ReconcileTags.manifestValue
                )
            )
            prepared.orphans = await findOrphans(
                regions: regions.sorted(),
                known: known,
                invalidPaths: invalidPaths,
                shouldStop: shouldStop
            )
        }
        return prepared
    }

    /// Why a table is suspended: its manifest, or a suspension from the command line (the table's, or `--all`).
    func suspension(_ spec: TableSpec) -> String? {
        Self.suspension(spec, settings.suspensions)
    }

    static func suspension(_ spec: TableSpec, _ suspensions: [String: Suspension]) -> String? {
        if spec.suspended { return "suspended by its manifest (\"suspended\": true)" }
        guard let held = suspensions[spec.tableName] ?? suspensions["*"] else { return nil }
        let scope = suspensions[spec.tableName] == nil ? " (all tables)" : ""
        return "suspended by \(held.by) since \(held.since)\(scope): \(held.reason)"
    }

    /// Where a manifest reaches outside the scope: the table, or any of its replicas (their regions and keys).
    func scopeViolation(_ spec: TableSpec) -> ReconcileScope.Violation? {
        if let violation = settings.scope.violation(
            tableName: spec.tableName,
            region: spec.region,
            kmsKeyArn: spec.encryption.kmsKeyArn
        ) {
            return violation
        }
        for (offset, replica) in spec.replicas.enumerated() {
            guard
                var violation = settings.scope.violation(
                    tableName: spec.tableName,
                    region: replica.region,
                    kmsKeyArn: replica.kmsKeyArn
                )
            else { continue }
            violation.path = violation.path.replacing("$.encryption", with: "$")
                .replacing("$.", with: "$.replicas[\(offset)].")
            return violation
        }
        return nil
    }

    /// Managed tables (tag `tablekeeper:managed`) that no manifest names.
    func findOrphans(
        regions: [String],
        known: Set<String>,
        invalidPaths: Set<String>,
        shouldStop: @escaping @Sendable () -> Bool
    ) async -> [TablePlan] {
        var plans: [TablePlan] = []
        for region in regions {
            let control = controls(region)
            let found: [ObservedTable?]
            if !cache.taggingDenied.contains(region) {
                // One paginated GetResources for the managed tables, a DescribeTable only for those no manifest
                // names (GetResources can still list a table just deleted).
                let tagged: [String: [TagShape]]
                do throws(AWSError) {
                    tagged = try await control.tables(taggedWith: ReconcileTags.managed)
                } catch {
                    if error.kind == .accessDenied {
                        cache.taggingDenied.insert(region)
                        logger.warning("\(Self.taggingDeniedMessage)", metadata: ["region": "\(region)"])
                    } else {
                        logger.warning("orphan sweep could not list tagged tables", metadata: ["region": "\(region)"])
                    }
                    continue
                }
                let unknown = tagged.filter { arn, _ in !known.contains("\(region)/\(Self.tableName(arn: arn))") }
                found = await Array(unknown).concurrentMap(limit: settings.maxConcurrency) {
                    arn,
                    tags -> ObservedTable? in
                    if shouldStop() { return nil }
                    guard let description = try? await control.describeTable(Self.tableName(arn: arn)) else {
                        return nil
                    }
                    return Observer.compose(description, region: region, extras: .tagsOnly(tags))
                }
            } else {
                guard let names = try? await control.listTables() else {
                    logger.warning("orphan sweep could not list tables", metadata: ["region": "\(region)"])
                    continue
                }
                let unknown = names.filter { !known.contains("\(region)/\($0)") }
                found = await unknown.concurrentMap(limit: settings.maxConcurrency) { name -> ObservedTable? in
                    if shouldStop() { return nil }
                    return try? await Observer.observeForSweep(name, region: region, control: control)
                }
            }
            // Its manifest file is still in the revision but does not parse: invalid, not an orphan.
            let orphans = found.compactMap { $0 }.filter { table in
                table.isManaged && !(table.tags[ReconcileTags.manifest].map(invalidPaths.contains) ?? false)
            }
            // A managed table outside the scope is another configuration's business.
            plans += orphans.filter { settings.scope.contains(tableName: $0.name, region: region) }.map(
                Planner.planOrphan
            )
        }
        return plans
    }

    /// `arn:aws:dynamodb:us-east-1:123456789012:table/orders` → `orders`.
    static func tableName(arn: String) -> String {
        guard let range = arn.firstRange(of: ":table/") else { return arn }
        return String(arn[range.upperBound...].prefix { $0 != "/" })
    }

    func invalidResult(path: String, errors: [String], files: [SnapshotFile]) -> TableResult {
        let bytes = files.first { $0.path == path }?.bytes ?? []
        let document = try? JSONParser.parse(bytes)
        let name = document?["tableName"]?.stringValue ?? Paths.lastComponent(path)
        let region = document?["region"]?.stringValue ?? settings.defaults.region ?? ""
        return TableResult(
            manifest: path,
            table: name,
            region: region,
            outcome: .invalid,
            message: "manifest rejected; no AWS call made for this table",
            error: errors.joined(separator: "\n")
        )
    }
}
