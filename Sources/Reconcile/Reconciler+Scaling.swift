import AWSCore
import DynamoDBControl
import Logging
import Manifest

extension Reconciler {
    /// Each region's auto scaling, by table: read in bulk (DescribeScalableTargets and DescribeScalingPolicies, all
    /// pages) on the drift sweep, when a manifest of the region changed, after Tablekeeper changed auto scaling
    /// there, and whenever a table's capacity differs from its manifest where no known target owns it: capacity
    /// is changed only on a read of the same cycle, so a target registered since the last read is never fought.
    func observeScaling(
        _ manifests: [LoadedManifest],
        observed: [Result<ObservedTable?, AWSError>?],
        changedRegions: Set<String>
    ) async -> [String: Result<[String: ObservedScaling], AWSError>] {
        let now = ContinuousClock.now
        var regions = Set(manifests.map(\.spec.region))
        var due: Set<String> = []
        for region in regions {
            guard let cached = cache.scaling[region] else {
                due.insert(region)
                continue
            }
            if settings.observeEverything || now - cached.readAt >= settings.driftSweepInterval
                || cache.scalingDirty.contains(region) || changedRegions.contains(region)
                || cache.scalingFailing.contains(region)
            {
                due.insert(region)
            }
        }
        // A capacity difference no known target owns would be applied: read first, unless this same difference
        // was already checked against a read (a flagged or rate-limited change would otherwise read every cycle).
        var differing: [String: (region: String, fingerprint: String)] = [:]
        for (manifest, read) in zip(manifests, observed) {
            guard case .success(let table?)? = read else { continue }
            let known = cache.scaling[table.region]?.tables[table.name] ?? ObservedScaling()
            guard let fingerprint = Self.unownedCapacityDifference(manifest.spec, table, known: known) else { continue }
            let key = Self.key(manifest.spec)
            differing[key] = (table.region, fingerprint)
            if cache.capacityChecked[key] != fingerprint { due.insert(table.region) }
        }
        cache.capacityChecked = cache.capacityChecked.filter { differing[$0.key] != nil }
        regions = due
        let controls = self.controls
        let reads = await Array(regions).concurrentMap(limit: settings.maxConcurrency) {
            region -> (String, Result<[String: ObservedScaling], AWSError>) in
            let result = await attempt { () async throws(AWSError) -> [String: ObservedScaling] in
                let control = controls(region)
                async let targets = attempt { () async throws(AWSError) in try await control.scalableTargets() }
                async let policies = attempt { () async throws(AWSError) in try await control.scalingPolicies() }
                return ObservedScaling.byTable(targets: try await targets.get(), policies: try await policies.get())
            }
            return (region, result)
        }
        var results: [String: Result<[String: ObservedScaling], AWSError>] = [:]
        for region in Set(manifests.map(\.spec.region)) {
            results[region] = cache.scaling[region].map { .success($0.tables) }
        }
        for (region, result) in reads {
            results[region] = result
            cache.scalingDirty.remove(region)
            switch result {
            case .success(let tables):
                cache.scaling[region] = (tables, ContinuousClock.now)
                cache.scalingFailing.remove(region)
                for (key, difference) in differing where difference.region == region {
                    cache.capacityChecked[key] = difference.fingerprint
                }
            case .failure(let error):
                cache.scaling[region] = nil
                if cache.scalingFailing.insert(region).inserted {
                    logger.warning(
                        "\(Self.scalingUnreadableMessage)",
                        metadata: ["region": "\(region)", "error": "\(error)"]
                    )
                }
            }
        }
        return results
    }

    static let scalingUnreadableMessage =
        "auto scaling could not be read; capacity is not compared until it can be (it may belong to auto scaling): "
        + "allow application-autoscaling:DescribeScalableTargets and DescribeScalingPolicies in the daemon's IAM "
        + "policy if it is denied"

    /// Where a provisioned table's capacity differs from its manifest and neither the manifest nor a known target
    /// gives it to auto scaling (then a capacity change would be planned), as text to compare across cycles; nil
    /// when there is no such difference. Indexes the planner would not change (building, of another shape) count
    /// for nothing.
    static func unownedCapacityDifference(_ spec: TableSpec, _ table: ObservedTable, known: ObservedScaling) -> String?
    {
        guard spec.billingMode == .provisioned, table.billingMode == .provisioned else { return nil }
        var found: [String] = []
        func compare(_ want: Throughput?, _ have: Throughput?, index: String?, declared: AutoScalingSpec?) {
            guard let want, let have else { return }
            for dimension in CapacityDimension.allCases {
                let unit = ScalingUnit(index: index, dimension: dimension)
                let value = dimension == .read ? (want.read, have.read) : (want.write, have.write)
                if value.0 != value.1, declared?[dimension] == nil, known.targets[unit] == nil {
                    found.append("\(unit.field)=\(value.1)>\(value.0)")
                }
            }
        }
        compare(spec.throughput, table.throughput, index: nil, declared: spec.capacity.autoScaling)
        for index in spec.globalSecondaryIndexes {
            guard let have = table.globalIndexes.first(where: { $0.name == index.name }), have.status == "ACTIVE",
                have.partitionKey == index.partitionKey, have.sortKey == index.sortKey,
                have.projection == index.projection
            else { continue }
            compare(index.throughput, have.throughput, index: index.name, declared: index.capacity.autoScaling)
        }
        return found.isEmpty ? nil : found.joined(separator: ",")
    }

    /// The table's auto scaling from its region's read, or why it is not known.
    static func withScaling(
        _ table: ObservedTable,
        _ scaling: Result<[String: ObservedScaling], AWSError>?
    ) -> ObservedTable {
        var table = table
        switch scaling {
        case .success(let tables)?:
            table.scaling = tables[table.name] ?? ObservedScaling()
        case .failure(let error)?:
            table.scalingUnknown = "\(error.operation): \(error.code)"
        case nil:
            table.scalingUnknown = "not read"
        }
        return table
    }
}
