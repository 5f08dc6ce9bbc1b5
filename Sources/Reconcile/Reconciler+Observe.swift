import AWSCore
import DynamoDBControl
import FoundationEssentials
import Logging
import Manifest
import TablekeeperConfig

extension Reconciler {
    /// Reads the tables of `specs`: DescribeTable for each, and TTL, PITR and tags only for those that need them
    /// (everything with `observeEverything`); tags in bulk through GetResources. A nil entry was not read
    /// (a shutdown began).
    func observe(
        _ manifests: [LoadedManifest],
        files: [String: String],
        shouldStop: @escaping @Sendable () -> Bool
    ) async -> [Result<ObservedTable?, AWSError>?] {
        let now = ContinuousClock.now
        let specs = manifests.map(\.spec)
        let controls = self.controls
        let described = await specs.concurrentMap(limit: settings.maxConcurrency) {
            spec -> Result<TableDescription?, AWSError>? in
            if shouldStop() { return nil }
            do throws(AWSError) {
                return .success(try await controls(spec.region).describeTable(spec.tableName))
            } catch {
                return .failure(error)
            }
        }
        // Which settled tables need their other reads now.
        var candidates: [String] = []
        for (spec, read) in zip(specs, described) {
            if case .success(let description?)? = read, Observer.isSettled(description) {
                candidates.append(Self.key(spec))
            }
        }
        let swept = cache.sweep(candidates: candidates, interval: settings.driftSweepInterval, now: now)
        var full: [(index: Int, arn: String)] = []
        for (index, (manifest, read)) in zip(manifests, described).enumerated() {
            guard case .success(let description?)? = read, Observer.isSettled(description),
                let arn = description.TableArn
            else { continue }
            let key = Self.key(manifest.spec)
            let changed =
                cache.extras[key] == nil || cache.attention.contains(key) || swept.contains(key)
                || cache.descriptions[key] != description || cache.blobs[manifest.path] != files[manifest.path]
            if settings.observeEverything || changed { full.append((index, arn)) }
        }
        let read = await readExtras(full.map { (specs[$0.index], $0.arn) }, shouldStop: shouldStop)
        let fresh = Dictionary(uniqueKeysWithValues: read.map { (full[$0.key].index, $0.value) })
        let needed = Set(full.map(\.index))
        var results: [Result<ObservedTable?, AWSError>?] = []
        for (index, (manifest, read)) in zip(manifests, described).enumerated() {
            let key = Self.key(manifest.spec)
            guard let read else {
                results.append(nil)
                continue
            }
            switch read {
            case .failure(let error):
                results.append(.failure(error))
            case .success(nil):
                cache.extras[key] = nil
                cache.descriptions[key] = nil
                // Gone: a table of that name made later by someone else is not ours.
                createdHere.remove(key)
                results.append(.success(nil))
            case .success(let description?):
                cache.descriptions[key] = description
                if !Observer.isSettled(description) {
                    results.append(.success(Observer.compose(description, region: manifest.spec.region, extras: nil)))
                    continue
                }
                if needed.contains(index), fresh[index] == nil {
                    // Its reads were skipped by a shutdown: not planned on half a picture.
                    results.append(nil)
                    continue
                }
                if let outcome = fresh[index] {
                    switch outcome {
                    case .failure(let error):
                        results.append(.failure(error))
                        continue
                    case .success(let extras):
                        cache.extras[key] = extras
                    }
                }
                results.append(
                    .success(Observer.compose(description, region: manifest.spec.region, extras: cache.extras[key]))
                )
            }
        }
        for manifest in manifests { cache.blobs[manifest.path] = files[manifest.path] }
        return results
    }

    /// KMS keys, from the cache while they are younger than `keyCacheTtl` (only enabled keys are kept).
    func resolveKeys(_ specs: [TableSpec]) async -> KeyResolution {
        let now = ContinuousClock.now
        var results: [RegionKey: Result<KeyMetadata, AWSError>] = [:]
        var missing: Set<RegionKey> = []
        for key in Observer.wantedKeys(specs) {
            if let cached = cache.keys[key], now - cached.readAt < settings.keyCacheTtl {
                results[key] = .success(cached.metadata)
            } else {
                missing.insert(key)
            }
        }
        let fetched = await Observer(maxConcurrency: settings.maxConcurrency, controls: controls).resolve(missing)
        for (key, result) in fetched.results {
            results[key] = result
            if case .success(let metadata) = result, metadata.KeyState == nil || metadata.KeyState == "Enabled" {
                cache.keys[key] = (metadata, now)
            }
        }
        return KeyResolution(results: results)
    }

    /// Forgets the keys of a region where a table reports its key inaccessible.
    func dropKeys(region: String) {
        cache.keys = cache.keys.filter { $0.key.region != region }
    }

    static let taggingDeniedMessage =
        "GetResources is denied; reading tags one table at a time with ListTagsOfResource, which is slower and "
        + "rate-limited: allow tag:GetResources in the daemon's IAM policy"

    static func key(_ spec: TableSpec) -> String {
        "\(spec.region)/\(spec.tableName)"
    }

    /// TTL and PITR of each table (the two reads at once), then the tags of all of them in bulk; by position in
    /// `tables`.
    func readExtras(
        _ tables: [(spec: TableSpec, arn: String)],
        shouldStop: @escaping @Sendable () -> Bool
    ) async -> [Int: Result<TableExtras, AWSError>] {
        guard !tables.isEmpty else { return [:] }
        let controls = self.controls
        let settings = await readSettings(tables, shouldStop: shouldStop)
        var tags: [String: Result<[TagShape], AWSError>] = [:]
        let confirm = tables.filter { cache.tagsChanged.contains(Self.key($0.spec)) }
        for table in confirm {
            // Just tagged: GetResources may not show it yet; ListTagsOfResource for this table only.
            do throws(AWSError) {
                tags[table.arn] = .success(try await controls(table.spec.region).listTags(table.arn))
            } catch {
                tags[table.arn] = .failure(error)
            }
        }
        let bulk = tables.filter { tags[$0.arn] == nil }
        for (region, group) in Dictionary(grouping: bulk, by: \.spec.region) {
            for (arn, result) in await bulkTags(group.map(\.arn), region: region) { tags[arn] = result }
        }
        var results: [Int: Result<TableExtras, AWSError>] = [:]
        // When the reads ended: under the rates a first cycle over many tables can take longer than the sweep.
        let readAt = ContinuousClock.now
        for (position, table) in tables.enumerated() {
            cache.tagsChanged.remove(Self.key(table.spec))
            guard let read = settings[position] else { continue }
            switch (read, tags[table.arn] ?? .success([])) {
            case (.failure(let error), _), (_, .failure(let error)):
                results[position] = .failure(error)
            case (.success(let pair), .success(let tagList)):
                results[position] = .success(
                    TableExtras(timeToLive: pair.0, backups: pair.1, tags: tagList, readAt: readAt)
                )
            }
        }
        return results
    }

    /// DescribeTimeToLive and DescribeContinuousBackups of each table, the two at once.
    func readSettings(
        _ tables: [(spec: TableSpec, arn: String)],
        shouldStop: @escaping @Sendable () -> Bool
    ) async -> [Result<(TimeToLiveDescription, ContinuousBackupsDescription), AWSError>?] {
        let controls = self.controls
        return await tables.concurrentMap(limit: settings.maxConcurrency) { table in
            if shouldStop() { return nil }
            let control = controls(table.spec.region)
            async let ttl = attempt { () async throws(AWSError) in
                try await control.describeTimeToLive(table.spec.tableName)
            }
            async let backups = attempt { () async throws(AWSError) in
                try await control.describeContinuousBackups(table.spec.tableName)
            }
            switch (await ttl, await backups) {
            case (.success(let ttl), .success(let backups)): return .success((ttl, backups))
            case (.failure(let error), _), (_, .failure(let error)): return .failure(error)
            }
        }
    }

    /// Tags through GetResources, 100 ARNs a call; where it is denied, ListTagsOfResource per table (logged once).
    func bulkTags(_ arns: [String], region: String) async -> [String: Result<[TagShape], AWSError>] {
        let control = controls(region)
        var tags: [String: Result<[TagShape], AWSError>] = [:]
        var pending = arns[...]
        while !pending.isEmpty, !cache.taggingDenied.contains(region) {
            let batch = Array(pending.prefix(100))
            do throws(AWSError) {
                for (arn, list) in try await control.tagsOfTables(batch) { tags[arn] = .success(list) }
                pending = pending.dropFirst(batch.count)
            } catch  where error.kind == .accessDenied {
                cache.taggingDenied.insert(region)
                logger.warning(
                    "\(Self.taggingDeniedMessage)",
                    metadata: ["region": "\(region)", "error": "\(error)"]
                )
            } catch {
                for arn in batch { tags[arn] = .failure(error) }
                pending = pending.dropFirst(batch.count)
            }
        }
        let remaining = Array(pending)
        let listed = await remaining.concurrentMap(limit: settings.maxConcurrency) { arn in
            await attempt { () async throws(AWSError) in try await control.listTags(arn) }
        }
        for (arn, result) in zip(remaining, listed) { tags[arn] = result }
        return tags
    }
}

/// The result of an AWS call, as a value.
func attempt<T>(_ body: () async throws(AWSError) -> T) async -> Result<T, AWSError> {
    do throws(AWSError) {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
