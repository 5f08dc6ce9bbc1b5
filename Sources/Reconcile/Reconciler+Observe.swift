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
        let specs = manifests.map(\.spec)
        let described: [Result<TableDescription?, AWSError>?]
        // Which tables had their other reads this cycle, and their results (none for a read a shutdown skipped).
        let needed: Set<Int>
        let fresh: [Int: Result<TableExtras, AWSError>]
        if settings.observeEverything {
            (described, fresh) = await describeAndReadAll(specs, shouldStop: shouldStop)
            needed = Set(Self.settledArns(described).map(\.index))
        } else {
            described = await describe(specs, shouldStop: shouldStop)
            let full = needingExtras(manifests, described: described, files: files)
            let read = await readExtras(full.map { (specs[$0.index], $0.arn) }, shouldStop: shouldStop)
            fresh = Dictionary(uniqueKeysWithValues: read.map { (full[$0.key].index, $0.value) })
            needed = Set(full.map(\.index))
        }
        await observeReplicaTables(specs, described: described, shouldStop: shouldStop)
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
                var extras = cache.extras[key]
                extras?.replicas = cache.replicaReads[key]?.reads ?? [:]
                results.append(.success(Observer.compose(description, region: manifest.spec.region, extras: extras)))
            }
        }
        for manifest in manifests { cache.blobs[manifest.path] = files[manifest.path] }
        return results
    }

    /// Reads the replica tables that are due: on the drift sweep, when the table lists other replicas or statuses
    /// than last time, after Tablekeeper changed a replica, and always for `plan`. A replica that cannot be read
    /// keeps what was read of it before (while it is still listed ACTIVE).
    func observeReplicaTables(
        _ specs: [TableSpec],
        described: [Result<TableDescription?, AWSError>?],
        shouldStop: @Sendable () -> Bool
    ) async {
        let now = ContinuousClock.now
        var due: [(index: Int, name: String, regions: [String])] = []
        for (index, spec) in specs.enumerated() {
            let key = Self.key(spec)
            guard case .success(let description?)? = described[index], Observer.isSettled(description) else {
                continue
            }
            let regions = (description.Replicas ?? []).filter {
                $0.ReplicaStatus == "ACTIVE" && $0.RegionName != spec.region
            }.compactMap(\.RegionName)
            guard !regions.isEmpty else {
                cache.replicaReads[key] = nil
                continue
            }
            let last = cache.replicaReads[key]
            let isDue =
                settings.observeEverything || last == nil
                || Set(last.map { Array($0.reads.keys) } ?? []) != Set(regions)
                || cache.descriptions[key]?.Replicas != description.Replicas || cache.replicaAttention.contains(key)
                || last.map { now - $0.readAt >= settings.driftSweepInterval } ?? true
            if isDue, !shouldStop() { due.append((index, spec.tableName, regions)) }
        }
        let reads = await readReplicas(due)
        for table in due {
            let key = Self.key(specs[table.index])
            cache.replicaAttention.remove(key)
            let kept = (cache.replicaReads[key]?.reads ?? [:]).filter { table.regions.contains($0.key) }
            cache.replicaReads[key] = (kept.merging(reads[table.index] ?? [:]) { $1 }, now)
        }
    }

    /// The replica tables of global tables in their own regions: DescribeTable (deletion protection, encryption)
    /// and DescribeContinuousBackups. A replica that cannot be read is left out (logged).
    func readReplicas(_ tables: [(index: Int, name: String, regions: [String])]) async -> [Int: [String: ReplicaRead]] {
        let controls = self.controls
        let items = tables.flatMap { table in table.regions.map { (table.index, table.name, $0) } }
        let reads = await items.concurrentMap(limit: settings.maxConcurrency) { index, name, region in
            let read = await attempt { () async throws(AWSError) -> ReplicaRead? in
                let control = controls(region)
                guard let description = try await control.describeTable(name) else { return nil }
                return ReplicaRead(description: description, backups: try await control.describeContinuousBackups(name))
            }
            return (index, name, region, read)
        }
        var result: [Int: [String: ReplicaRead]] = [:]
        for (index, name, region, read) in reads {
            switch read {
            case .success(let replica?): result[index, default: [:]][region] = replica
            case .success(nil): continue
            case .failure(let error):
                logger.warning(
                    "a replica table could not be read; its settings are compared once it can be",
                    metadata: ["table": "\(name)", "region": "\(region)", "error": "\(error)"]
                )
            }
        }
        return result
    }

    /// DescribeTable of each table, at once.
    func describe(
        _ specs: [TableSpec],
        shouldStop: @escaping @Sendable () -> Bool
    ) async -> [Result<TableDescription?, AWSError>?] {
        let reads = TableReads(controls: controls, shouldStop: shouldStop)
        return await specs.concurrentMap(limit: settings.maxConcurrency) { await reads.description($0) }
    }

    /// The settled tables (by position) that answered DescribeTable with an ARN.
    static func settledArns(_ described: [Result<TableDescription?, AWSError>?]) -> [(index: Int, arn: String)] {
        described.enumerated().compactMap { index, read in
            guard case .success(let description?)? = read, Observer.isSettled(description),
                let arn = description.TableArn
            else { return nil }
            return (index, arn)
        }
    }

    /// The settled tables whose TTL, PITR and tags are read this cycle: never read, needing attention, on the
    /// sweep, answering DescribeTable differently, or with a changed manifest.
    func needingExtras(
        _ manifests: [LoadedManifest],
        described: [Result<TableDescription?, AWSError>?],
        files: [String: String]
    ) -> [(index: Int, arn: String)] {
        let settled = Self.settledArns(described)
        let swept = cache.sweep(
            candidates: settled.map { Self.key(manifests[$0.index].spec) },
            interval: settings.driftSweepInterval,
            now: .now
        )
        return settled.filter { index, _ in
            let manifest = manifests[index]
            let key = Self.key(manifest.spec)
            guard case .success(let description?)? = described[index] else { return false }
            return cache.extras[key] == nil || cache.attention.contains(key) || swept.contains(key)
                || cache.descriptions[key] != description || cache.blobs[manifest.path] != files[manifest.path]
        }
    }

    /// Everything of each table, for `plan` and `adopt`: DescribeTable of each, and as soon as a table answers
    /// settled, its TTL and PITR reads on two streams of their own; the tags in bulk once every ARN is known. The
    /// reads of one table overlap the others', so the whole takes about as long as the slowest rate allows.
    func describeAndReadAll(
        _ specs: [TableSpec],
        shouldStop: @escaping @Sendable () -> Bool
    ) async -> (described: [Result<TableDescription?, AWSError>?], extras: [Int: Result<TableExtras, AWSError>]) {
        let reads = TableReads(controls: controls, shouldStop: shouldStop)
        let limit = settings.maxConcurrency
        let (ttlQueue, ttlFeed) = AsyncStream.makeStream(of: Int.self)
        let (pitrQueue, pitrFeed) = AsyncStream.makeStream(of: Int.self)
        async let ttls = ttlQueue.concurrentMap(limit: limit) { ($0, await reads.timeToLive(specs[$0])) }
        async let pitrs = pitrQueue.concurrentMap(limit: limit) { ($0, await reads.backups(specs[$0])) }
        let described = await Array(specs.indices).concurrentMap(limit: limit) { index in
            let read = await reads.description(specs[index])
            if case .success(let description?)? = read, Observer.isSettled(description), description.TableArn != nil {
                ttlFeed.yield(index)
                pitrFeed.yield(index)
            }
            return read
        }
        ttlFeed.finish()
        pitrFeed.finish()
        let tables = Self.settledArns(described).map { (index: $0.index, spec: specs[$0.index], arn: $0.arn) }
        let tags = await readTags(tables.map { ($0.spec, $0.arn) })
        let timeToLive = Dictionary(await ttls, uniquingKeysWith: { first, _ in first })
        let backups = Dictionary(await pitrs, uniquingKeysWith: { first, _ in first })
        let combined = combine(
            tables.map { ($0.spec, $0.arn) },
            ttls: tables.map { timeToLive[$0.index] ?? nil },
            pitrs: tables.map { backups[$0.index] ?? nil },
            tags: tags
        )
        return (described, Dictionary(uniqueKeysWithValues: combined.map { (tables[$0.key].index, $0.value) }))
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

    /// TTL, PITR and tags of each table: three streams at once, each at its own pace (PITR is held to its rate;
    /// TTL is not, and tags come in bulk), so no read waits for another's rate. By position in `tables`.
    func readExtras(
        _ tables: [(spec: TableSpec, arn: String)],
        shouldStop: @escaping @Sendable () -> Bool
    ) async -> [Int: Result<TableExtras, AWSError>] {
        guard !tables.isEmpty else { return [:] }
        let reads = TableReads(controls: controls, shouldStop: shouldStop)
        let limit = settings.maxConcurrency
        async let timeToLive = tables.concurrentMap(limit: limit) { await reads.timeToLive($0.spec) }
        async let backups = tables.concurrentMap(limit: limit) { await reads.backups($0.spec) }
        let tags = await readTags(tables)
        return combine(tables, ttls: await timeToLive, pitrs: await backups, tags: tags)
    }

    /// Each table's TTL, PITR and tags as one result (a failure of any is the table's), by position in `tables`;
    /// none for a table whose reads a shutdown skipped.
    func combine(
        _ tables: [(spec: TableSpec, arn: String)],
        ttls: [Result<TimeToLiveDescription, AWSError>?],
        pitrs: [Result<ContinuousBackupsDescription, AWSError>?],
        tags: [String: Result<[TagShape], AWSError>]
    ) -> [Int: Result<TableExtras, AWSError>] {
        var results: [Int: Result<TableExtras, AWSError>] = [:]
        // When the reads ended: under the rates a first cycle over many tables can take longer than the sweep.
        let readAt = ContinuousClock.now
        for (position, table) in tables.enumerated() {
            cache.tagsChanged.remove(Self.key(table.spec))
            guard let ttl = ttls[position], let pitr = pitrs[position] else { continue }
            switch (ttl, pitr, tags[table.arn] ?? .success([])) {
            case (.failure(let error), _, _), (_, .failure(let error), _), (_, _, .failure(let error)):
                results[position] = .failure(error)
            case (.success(let ttl), .success(let pitr), .success(let tagList)):
                results[position] = .success(TableExtras(timeToLive: ttl, backups: pitr, tags: tagList, readAt: readAt))
            }
        }
        return results
    }

    /// The tags of `tables`: ListTagsOfResource for those just tagged (GetResources may not show it yet), the
    /// rest in bulk.
    func readTags(_ tables: [(spec: TableSpec, arn: String)]) async -> [String: Result<[TagShape], AWSError>] {
        let controls = self.controls
        let confirm = tables.filter { cache.tagsChanged.contains(Self.key($0.spec)) }
        let confirmed = await confirm.concurrentMap(limit: settings.maxConcurrency) { table in
            await attempt { () async throws(AWSError) in try await controls(table.spec.region).listTags(table.arn) }
        }
        var tags = Dictionary(zip(confirm.map(\.arn), confirmed), uniquingKeysWith: { first, _ in first })
        let bulk = tables.filter { tags[$0.arn] == nil }
        for (region, group) in Dictionary(grouping: bulk, by: \.spec.region) {
            for (arn, result) in await bulkTags(group.map(\.arn), region: region) { tags[arn] = result }
        }
        return tags
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

/// A table's reads, each as a value; nil when a shutdown began before it was sent.
struct TableReads: Sendable {
    let controls: @Sendable (String) -> any TableControl
    let shouldStop: @Sendable () -> Bool

    func description(_ spec: TableSpec) async -> Result<TableDescription?, AWSError>? {
        await read(spec) { control, name async throws(AWSError) in try await control.describeTable(name) }
    }

    func timeToLive(_ spec: TableSpec) async -> Result<TimeToLiveDescription, AWSError>? {
        await read(spec) { control, name async throws(AWSError) in try await control.describeTimeToLive(name) }
    }

    func backups(_ spec: TableSpec) async -> Result<ContinuousBackupsDescription, AWSError>? {
        await read(spec) { control, name async throws(AWSError) in try await control.describeContinuousBackups(name) }
    }

    private func read<T>(
        _ spec: TableSpec,
        _ call: (any TableControl, String) async throws(AWSError) -> T
    ) async -> Result<T, AWSError>? {
        if shouldStop() { return nil }
        let control = controls(spec.region)
        return await attempt { () async throws(AWSError) in try await call(control, spec.tableName) }
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
