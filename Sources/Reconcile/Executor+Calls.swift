import AWSCore
import DynamoDBControl
import FoundationEssentials
import Manifest
import StatusLog
import UTCTime

extension Executor {
    /// Makes the step's call; CreateTable and UpdateTable return their answer (the table as AWS left it).
    func perform(_ step: Step, plan: TablePlan, control: any TableControl) async throws(AWSError) -> TableDescription? {
        switch step {
        case .create(let input):
            return try await control.createTable(input)
        case .updateTable(let input, _, _):
            return try await control.updateTable(input)
        case .timeToLive(let attribute, let enabled):
            try await control.updateTimeToLive(plan.table, attribute: attribute, enabled: enabled)
        case .pointInTimeRecovery(let enabled):
            try await control.updateContinuousBackups(plan.table, pointInTimeRecovery: enabled)
        case .tag(let tags):
            try await control.tagResource(plan.tableArn ?? plan.table, tags: tags)
        case .untag(let keys):
            try await control.untagResource(plan.tableArn ?? plan.table, keys: keys)
        case .autoScaling(let call, _):
            try await perform(call, table: plan.table, control: control)
        case .replicaSetting(let region, let setting, _):
            guard let replica = regionControls?(region) else {
                throw AWSError(
                    operation: "UpdateTable",
                    code: "Unsupported",
                    message: "no control for \(region)",
                    kind: .other
                )
            }
            switch setting {
            case .pointInTimeRecovery(let on):
                try await replica.updateContinuousBackups(plan.table, pointInTimeRecovery: on)
            case .deletionProtection(let on):
                var input = UpdateTableInput(TableName: plan.table)
                input.DeletionProtectionEnabled = on
                _ = try await replica.updateTable(input)
            }
        }
        return nil
    }

    func perform(_ call: ScalingCall, table: String, control: any TableControl) async throws(AWSError) {
        switch call {
        case .register(let unit, let min, let max):
            try await control.registerScalableTarget(
                resourceId: unit.resourceId(table: table),
                dimension: unit.scalableDimension,
                min: min,
                max: max
            )
        case .putPolicy(let unit, let target):
            try await control.putScalingPolicy(
                name: unit.policyName,
                resourceId: unit.resourceId(table: table),
                dimension: unit.scalableDimension,
                metric: unit.metric,
                targetValue: Double(target)
            )
        case .deregister(let unit):
            try await control.deregisterScalableTarget(
                resourceId: unit.resourceId(table: table),
                dimension: unit.scalableDimension
            )
        }
    }

    /// After an encryption switch, from UpdateTable's own answer: nil when it shows the switch under way (or
    /// done). A DescribeTable right after may still show the old key (it is eventually consistent), so the next
    /// cycles' descriptions, not an immediate one, tell whether the switch completed.
    func verifyEncryption(_ description: TableDescription, desired: DesiredTable) -> String? {
        let sse = description.SSEDescription
        if ["UPDATING", "ENABLING", "DISABLING"].contains(sse?.Status ?? "") { return nil }
        let isKMS = sse.map { ["ENABLED", "UPDATING"].contains($0.Status ?? "ENABLED") } ?? false
        let applied: Bool
        switch desired.encryption {
        case .awsOwned: applied = !isKMS
        case .awsManaged(let arn): applied = isKMS && (arn == nil || sse?.KMSMasterKeyArn == arn)
        case .customerKey(let arn): applied = isKMS && sse?.KMSMasterKeyArn == arn
        case .unresolvable: applied = false
        }
        return applied
            ? nil
            : "UpdateTable was accepted but its answer shows neither the new key nor a switch under way (an "
                + "emulator such as moto ignores it); change it by hand and check with aws dynamodb describe-table"
    }

    /// Turns a failed call into an outcome: rate windows flag with the retry time, concurrency limits and state
    /// conflicts wait, an existing table on create is adopted, anything else fails.
    func handle(
        _ error: AWSError,
        step: Step,
        plan: TablePlan,
        desired: DesiredTable,
        control: any TableControl,
        context: RegionContext,
        changes: [Change],
        done: [String],
        memory: inout Memory,
        now: Date
    ) async -> TableResult {
        var changes = changes
        let actionTaken = !done.isEmpty
        switch error.kind {
        case .rateWindow:
            // When AWS allows it again: from what DescribeTable reported, else from the message.
            var until = plan.retryAfter[fieldOf(step)] ?? Self.retryTime(from: error.message, now: now)
            if case .timeToLive = step {
                // AWS's message names no time: the hour runs from the last change, ours if we made it.
                let last = memory.lastTimeToLiveChange ?? now
                until = last.addingTimeInterval(Memory.ttlInterval)
            }
            let when =
                until.map { "after \(UTCTime.format($0, fraction: false))" }
                ?? "later (AWS limits how often this changes)"
            let advice = "AWS refused \(step.summary): \(error.message); it can be retried \(when)"
            memory.blocked[blockKey(plan, step)] = (
                until ?? now.addingTimeInterval(3600), advice, fingerprintOf(plan, step)
            )
            markFlagged(&changes, field: fieldOf(step), reason: .rateLimited, advice: advice)
            return TableResult(
                manifest: plan.manifest,
                table: plan.table,
                region: plan.region,
                outcome: .flagged,
                changes: changes,
                message: advice,
                actionTaken: actionTaken
            )
        case .concurrencyLimit, .stateConflict, .fenced:
            if case .create = step, error.kind == .stateConflict {
                return await adopt(plan, desired: desired, control: control, context: context)
            }
            // A fenced call was never sent: the leader (this daemon once it renews, or another) makes the change;
            // no backoff, no failure.
            let why =
                error.kind == .fenced
                ? "\(step.summary) \(error.message)"
                : error.code == "ContinuousBackupsUnavailableException"
                    ? "point-in-time recovery is not available yet (normal right after CreateTable)"
                    : "AWS is busy (\(error.code))"
            return TableResult(
                manifest: plan.manifest,
                table: plan.table,
                region: plan.region,
                outcome: .pending,
                changes: changes,
                message: "\(why); \(step.summary) is retried shortly",
                actionTaken: actionTaken
            )
        default:
            // Retried with backoff per table and step (5 s doubling to 15 min), not every cycle.
            let key = blockKey(plan, step)
            let attempts = (memory.backoff[key]?.attempts ?? 0) + 1
            let until = now.addingTimeInterval(Memory.backoffDelay(attempts: attempts))
            memory.backoff[key] = (attempts, until, error.description, fingerprintOf(plan, step))
            let quota =
                error.kind == .quota ? "AWS quota reached; raise it in Service Quotas or change the manifest; " : ""
            return TableResult(
                manifest: plan.manifest,
                table: plan.table,
                region: plan.region,
                outcome: .failed,
                changes: changes,
                message: "\(step.summary) failed; \(quota)tried again after \(UTCTime.format(until, fraction: false))",
                error: error.description,
                actionTaken: actionTaken
            )
        }
    }

    /// CreateTable found the table already there (made by someone else meanwhile): look at it and plan again.
    func adopt(
        _ plan: TablePlan,
        desired: DesiredTable,
        control: any TableControl,
        context: RegionContext
    ) async
        -> TableResult
    {
        let observed: ObservedTable?
        do throws(AWSError) {
            observed = try await Observer.observeTable(plan.table, region: plan.region, control: control)
        } catch {
            return result(plan, .failed, message: "the table exists but could not be read", error: error.description)
        }
        guard let observed else {
            return result(plan, .pending, message: "CreateTable reported the table in use; it is looked at again soon")
        }
        guard Observer.isSettled(observed.status) else {
            // Its tags are not read yet (DescribeTable lags behind CreateTable, so this may be Tablekeeper's own
            // table from an earlier cycle): a later cycle decides, from its `created` record or, once the table is
            // ACTIVE, from its tags; the creation stays recorded meanwhile.
            return result(
                plan,
                .pending,
                message: "CreateTable found the table \(observed.status); it is looked at again once it is ACTIVE"
            )
        }
        // Ours would have been created by the call that was just refused, unless an earlier cycle created this very
        // table (its creation time): a table without the managed tag is someone else's.
        let ours = desired.createdHere && StatusLogState.sameTable(desired.createdTable, observed.created)
        let foreign = !observed.isManaged && !desired.adoptionAllowed && !ours
        var replanned = Planner.plan(desired: desired, observed: observed, policy: policy, context: context)
        if foreign, !replanned.changes.contains(where: { $0.reason == .unmanaged }) {
            replanned.changes = [Planner.unmanaged(desired)]
            replanned.steps = []
            replanned.pendingReason = nil
            replanned.partialWaits = []
        }
        let summary = summarize(replanned, changes: replanned.changes)
        if replanned.changes.contains(where: { $0.reason == .unmanaged }) {
            var found = summary
            found.message =
                "CreateTable found an existing table of that name that Tablekeeper does not manage; "
                + "it is left alone: \(summary.message)"
            return found
        }
        var adopted = summary
        if replanned.waitingReason != nil || !replanned.steps.isEmpty {
            adopted.outcome = adopted.outcome == .flagged ? .flagged : .pending
        }
        let left = replanned.changes.isEmpty ? "it matches the manifest" : "\(replanned.changes.count) changes planned"
        adopted.message =
            "adopted an existing table of that name; \(left)"
            + (adopted.outcome == .flagged ? ": \(summary.message)" : "")
        return adopted
    }

    /// The end of the window in messages such as "…limited in the 24h window ending at 2022-08-20T08:42:25.398Z…".
    static func retryTime(from message: String, now: Date) -> Date? {
        guard let range = message.firstRange(of: "ending at ") else { return nil }
        let text = message[range.upperBound...].prefix { !$0.isWhitespace }
        var candidate = String(text)
        while candidate.hasSuffix(".") { candidate.removeLast() }
        return UTCTime.parse(candidate)
    }
}
