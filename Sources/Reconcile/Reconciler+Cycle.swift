import AWSCore
import FoundationEssentials
public import GitSource
import Logging
import StatusLog
import SystemSupport

/// What one cycle did.
public struct CycleReport: Sendable {
    /// The cycle number.
    public var cycle: Int
    /// The revision reconciled (nil when no snapshot was available).
    public var revision: String?
    /// One result per table (orphans included).
    public var results: [TableResult]
    /// Set when the source could not be read; then no AWS call was made.
    public var sourceError: SourceError?
    /// Set when the head revision was refused (signature, rewrite, limits); the last good one was reconciled.
    public var sourceRejection: SourceRejection?
    /// How long the cycle took.
    public var durationMs: Int
    /// Tables per outcome.
    public var counts: [String: Int]
    /// Tables left alone because a shutdown began before their step (they keep their last record).
    public var skippedAtShutdown = 0
    /// AWS requests made by the cycle, by operation (every attempt).
    public var requests: [String: Int] = [:]
    /// Throttling answers the cycle received.
    public var throttled = 0

    /// Whether everything is in sync or on its way (nothing flagged, invalid or failed, and the source read).
    public var isHealthy: Bool {
        sourceError == nil && sourceRejection == nil && !results.contains { $0.outcome.needsAttention }
    }

    /// Whether some table still has work left (a requeue soon makes sense).
    public var hasPendingWork: Bool {
        results.contains { [.pending, .created, .updated].contains($0.outcome) }
    }
}

extension Reconciler {
    /// Runs one cycle on the outcome of a source poll and records it.
    ///
    /// - Parameters:
    ///   - poll: the source's answer; a failed poll makes no AWS call at all.
    ///   - trigger: why the cycle runs (`start`, `poll`, `webhook`, `requeue`, `once`).
    ///   - shouldStop: asked before each table's step; once it says yes, steps in flight finish and no
    ///     other table is changed (a shutdown).
    ///   - only: the tables (`region/table`) to look at, for a requeue of those with work left; nil for all.
    public func runCycle(
        poll: SourcePoll,
        trigger: String,
        only: Set<String>? = nil,
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) async -> CycleReport {
        let started = ContinuousClock.now
        _ = tally?.take()
        let cycle = logState.lastCycle + 1
        var records: [StatusRecord] = []
        let time = StatusRecord.timestamp(Date())
        var snapshot: SourceSnapshot?
        var sourceError: SourceError?
        var rejection: SourceRejection?
        switch poll {
        case .snapshot(let current, let event):
            snapshot = current
            // A source record for each new revision, judged against the log so a restart repeats nothing.
            if let event, event.outcome == "rewritten" || current.revision != logState.lastRevision {
                records.append(
                    sourceRecord(time: time, revision: current.revision, outcome: event.outcome, message: event.message)
                )
            }
        case .failed(let error, _):
            // Nothing is applied from a revision that could not be read, not even the last good one.
            sourceError = error
            records.append(sourceRecord(time: time, revision: nil, outcome: "fetch_failed", message: error.message))
        case .rejected(let refused, let lastGood):
            rejection = refused
            snapshot = lastGood
            let kept = lastGood.map { "; \(String($0.revision.prefix(12))) stays in force" } ?? "; nothing is applied"
            let short = refused.revision.map { "\(String($0.prefix(12))) not applied: " } ?? "not applied: "
            records.append(
                sourceRecord(
                    time: time,
                    revision: refused.revision,
                    outcome: refused.outcome,
                    message: "\(short)\(refused.detail)\(kept)"
                )
            )
        }
        var results: [TableResult] = []
        var skipped = 0
        if let snapshot {
            (results, skipped) = await reconcile(snapshot, only: only, shouldStop: shouldStop)
        }
        let spent = tally?.take() ?? (requests: [:], throttled: 0)
        let durationMs = Int((ContinuousClock.now - started).inMilliseconds)
        var counts = Dictionary(uniqueKeysWithValues: StatusRecord.outcomes.map { ($0, 0) })
        for result in results { counts[result.outcome.rawValue, default: 0] += 1 }
        // A fetch failure or rejected signature that repeats every poll is recorded once, until it changes.
        records.removeAll { $0.kind == .source && !logState.shouldWrite(source: $0) }
        for result in results {
            let record = result.record(time: time, cycle: cycle, revision: snapshot?.revision)
            if logState.shouldWrite(record, actionTaken: result.actionTaken) {
                records.append(record)
            }
        }
        var cycleRecord = StatusRecord(time: StatusRecord.timestamp(Date()), kind: .cycle)
        cycleRecord.cycle = cycle
        cycleRecord.revision = snapshot?.revision
        cycleRecord.trigger = trigger
        cycleRecord.durationMs = durationMs
        cycleRecord.counts = counts
        cycleRecord.requests = spent.requests
        records.append(cycleRecord)
        for record in records { logState.observe(record) }
        if let statusLog {
            statusLog.append(records)
            statusLog.sync()
            if let problem = statusLog.lastError {
                logger.error("status log not writable", metadata: ["error": "\(problem)"])
            }
        }
        return CycleReport(
            cycle: cycle,
            revision: snapshot?.revision,
            results: results,
            sourceError: sourceError,
            sourceRejection: rejection,
            durationMs: durationMs,
            counts: counts,
            skippedAtShutdown: skipped,
            requests: spent.requests,
            throttled: spent.throttled
        )
    }

    func sourceRecord(time: String, revision: String?, outcome: String, message: String) -> StatusRecord {
        var record = StatusRecord(time: time, kind: .source)
        record.revision = revision
        record.outcome = outcome
        record.message = message
        return record
    }

    /// A suspended table's result: what it would change, nothing changed.
    static func suspended(_ plan: TablePlan, why: String) -> TableResult {
        let held =
            plan.changes.isEmpty ? "nothing to change" : "held: \(plan.changes.map(\.field).joined(separator: ", "))"
        return TableResult(
            manifest: plan.manifest,
            table: plan.table,
            region: plan.region,
            outcome: .suspended,
            changes: plan.changes,
            message: "\(why); \(held)"
        )
    }

    func isOrphanSweepDue() -> Bool {
        guard let interval = settings.orphanSweepInterval, let last = lastOrphanSweep else { return true }
        return ContinuousClock.now - last >= interval
    }

    /// Plans and executes every table of a snapshot; also returns how many tables were skipped at shutdown.
    func reconcile(
        _ snapshot: SourceSnapshot,
        only: Set<String>?,
        shouldStop: @escaping @Sendable () -> Bool
    ) async -> ([TableResult], Int) {
        // A manifest that disappeared may leave a managed table behind: look for orphans now, not in ten minutes.
        let paths = Set(snapshot.files.map(\.path))
        let sweep = only == nil && (isOrphanSweepDue() || !lastManifestPaths.isSubset(of: paths))
        if only == nil { lastManifestPaths = paths }
        let prepared = await prepare(
            files: snapshot.files,
            problems: only == nil ? snapshot.problems : [:],
            sweepOrphans: sweep,
            only: only,
            shouldStop: shouldStop
        )
        if sweep, !shouldStop() {
            lastOrphanSweep = .now
            lastOrphans = prepared.orphans.map { Executor(policy: settings.policy).summarize($0, changes: $0.changes) }
        }
        let controls = self.controls
        let executor = Executor(policy: settings.policy, regionControls: controls)
        let suspensionSource = self.suspensionSource
        let memories = memory
        let outcomes = await prepared.tables.concurrentMap(limit: settings.maxConcurrency) {
            table -> (String, TableResult, Executor.Memory)? in
            if shouldStop() { return nil }
            let key = "\(table.plan.region)/\(table.plan.table)"
            var tableMemory = memories[key] ?? Executor.Memory()
            if let why = table.desired.suspension
                ?? suspensionSource.flatMap({ Self.suspension(table.desired.spec, $0()) })
            {
                return (key, Self.suspended(table.plan, why: why), tableMemory)
            }
            let result = await executor.execute(
                table.plan,
                desired: table.desired,
                control: controls(table.plan.region),
                context: table.context,
                memory: &tableMemory
            )
            return (key, result, tableMemory)
        }
        var results = prepared.settled
        for (key, result, tableMemory) in outcomes.compactMap(\.self) {
            memory[key] = tableMemory.isEmpty ? nil : tableMemory
            // Tables with something under way are read fully next time (a flagged table changed this cycle too:
            // its TTL, PITR and tags as read before the change would plan the change again); those changed have
            // their tags confirmed.
            if [.created, .updated, .pending, .failed].contains(result.outcome) || result.actionTaken {
                cache.attention.insert(key)
            } else {
                cache.attention.remove(key)
            }
            if result.actionTaken { cache.tagsChanged.insert(key) }
            results.append(result)
        }
        // Auto scaling changed: its region is read again next cycle (a billing switch or a new table leaves the
        // targets as they were read).
        let acted = Set(outcomes.compactMap { $0?.1 }.filter(\.actionTaken).map { "\($0.region)/\($0.table)" })
        for table in prepared.tables where acted.contains("\(table.plan.region)/\(table.plan.table)") {
            if table.plan.stepsForThisCycle.contains(where: { if case .autoScaling = $0 { true } else { false } }) {
                cache.scalingDirty.insert(table.plan.region)
            }
            // A replica changed: its replica tables are read again next cycle.
            if table.plan.stepsForThisCycle.contains(where: { step in
                if case .replicaSetting = step { return true }
                if case .updateTable(_, _, let field) = step { return field.hasPrefix("replicas[") }
                return false
            }) {
                cache.replicaAttention.insert("\(table.plan.region)/\(table.plan.table)")
            }
        }
        for result in prepared.settled where result.outcome == .failed {
            cache.attention.insert("\(result.region)/\(result.table)")
        }
        // Orphans found by an earlier sweep are repeated until the next one, unless a manifest names them again.
        let named = Set(results.map { "\($0.region)/\($0.table)" })
        if only == nil { results += lastOrphans.filter { !named.contains("\($0.region)/\($0.table)") } }
        let sorted = results.sorted { ($0.region, $0.table) < ($1.region, $1.table) }
        return (sorted, outcomes.count { $0 == nil } + prepared.skipped)
    }
}
