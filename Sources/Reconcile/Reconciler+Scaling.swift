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
        for (manifest, read) in zip(manifests, observed) where !due.contains(manifest.spec.region) {
            guard case .success(let table?)? = read else { continue }
            let known = cache.scaling[table.region]?.tables[table.name] ?? ObservedScaling()
            if Self.capacityDiffersUnowned(manifest.spec, table, known: known) { due.insert(table.region) }
        }
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

    /// Whether a provisioned table's capacity differs from its manifest where neither the manifest nor a known
    /// target gives it to auto scaling (then a capacity change would be planned).
    static func capacityDiffersUnowned(_ spec: TableSpec, _ table: ObservedTable, known: ObservedScaling) -> Bool {
        guard spec.billingMode == .provisioned, table.billingMode == .provisioned else { return false }
        func differs(_ want: Throughput?, _ have: Throughput?, index: String?, declared: AutoScalingSpec?) -> Bool {
            guard let want, let have else { return false }
            return CapacityDimension.allCases.contains { dimension in
                let unit = ScalingUnit(index: index, dimension: dimension)
                let value = dimension == .read ? (want.read, have.read) : (want.write, have.write)
                return value.0 != value.1 && declared?[dimension] == nil && known.targets[unit] == nil
            }
        }
        if differs(spec.throughput, table.throughput, index: nil, declared: spec.capacity.autoScaling) { return true }
        return spec.globalSecondaryIndexes.contains { index in
            let have = table.globalIndexes.first { $0.name == index.name }?.throughput
            return differs(index.throughput, have, index: index.name, declared: index.capacity.autoScaling)
        }
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
