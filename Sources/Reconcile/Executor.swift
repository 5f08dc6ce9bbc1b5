import AWSCore
public import DynamoDBControl
public import FoundationEssentials
import Manifest
public import TablekeeperConfig
import UTCTime

/// Carries out the steps allowed this cycle and turns the result into an outcome.
public struct Executor: Sendable {
    /// The policy (for re-planning after adoption).
    public let policy: ReconcilePolicy
    /// The controls of other regions, for replica tables.
    public let regionControls: (@Sendable (String) -> any TableControl)?

    /// Creates an executor.
    public init(policy: ReconcilePolicy, regionControls: (@Sendable (String) -> any TableControl)? = nil) {
        self.policy = policy
        self.regionControls = regionControls
    }

    /// One table's memory across cycles: steps AWS refused for a while, and encryption changes an endpoint
    /// accepted but did not apply, so they are not retried blindly.
    public struct Memory: Sendable {
        /// `region/table/field` → when AWS allows the change again (nil: until the inputs change).
        var blocked: [String: (until: Date?, why: String, fingerprint: String)] = [:]
        /// When Tablekeeper last changed the table's TTL (AWS allows one change an hour).
        var lastTimeToLiveChange: Date?
        /// `region/table/field` → failures in a row of that step, when it may be tried again, and the error.
        var backoff: [String: (attempts: Int, until: Date, error: String, fingerprint: String)] = [:]

        /// Empty memory.
        public init() {}

        /// Whether nothing is remembered (a TTL change older than the hour no longer matters).
        public var isEmpty: Bool {
            blocked.isEmpty && backoff.isEmpty
                && (lastTimeToLiveChange.map { Date().timeIntervalSince($0) > Self.ttlInterval } ?? true)
        }

        /// AWS allows one UpdateTimeToLive per table per hour.
        static let ttlInterval: TimeInterval = 3600

        /// The wait after `attempts` failures in a row: 5 s doubling, at most 15 minutes.
        public static func backoffDelay(attempts: Int) -> TimeInterval {
            min(5 * Double(1 << min(max(0, attempts - 1), 20)), 900)
        }
    }

    /// Executes `plan` for `desired` against `control`, at most one table-changing call.
    public func execute(
        _ plan: TablePlan,
        desired: DesiredTable,
        control: any TableControl,
        context: RegionContext,
        memory: inout Memory,
        now: Date = Date()
    ) async -> TableResult {
        if let failure = plan.failure {
            return result(plan, .failed, message: failure, error: failure)
        }
        if let pending = plan.pendingReason {
            return result(plan, plan.flags.isEmpty ? .pending : .flagged, message: "waiting: \(pending)")
        }
        // One blocked step never holds the others: every held step is set aside first, then this cycle's steps
        // are chosen from the rest.
        var steps = plan.steps
        var waiting: [String] = []
        for wait in plan.partialWaits {
            let before = steps.count
            steps.removeAll { fieldOf($0).hasPrefix(wait.field) }
            if steps.count < before || plan.steps.isEmpty { waiting.append(wait.reason) }
        }
        var blockedMessages: [String] = []
        var changes = plan.changes
        steps.removeAll { step in
            let key = blockKey(plan, step)
            guard let block = memory.blocked[key] else { return false }
            let fingerprint = fingerprintOf(plan, step)
            if block.fingerprint != fingerprint || (block.until.map { $0 <= now } ?? false) {
                memory.blocked[key] = nil
                return false
            }
            blockedMessages.append(block.why)
            markFlagged(&changes, field: fieldOf(step), reason: .rateLimited, advice: block.why)
            return true
        }
        // A step that failed waits out its backoff (5 s doubling to 15 min) unless its change is another now.
        var backingOff: [String] = []
        steps.removeAll { step in
            let key = blockKey(plan, step)
            guard let wait = memory.backoff[key] else { return false }
            if wait.fingerprint != fingerprintOf(plan, step) {
                memory.backoff[key] = nil
                return false
            }
            guard wait.until > now else { return false }
            let when = UTCTime.format(wait.until, fraction: false)
            backingOff.append("\(step.summary) failed (\(wait.error)); tried again after \(when)")
            return true
        }
        // The second half of a TTL rename waits for the hour AWS requires, shown with its time, without a call.
        if let last = memory.lastTimeToLiveChange, now.timeIntervalSince(last) < Memory.ttlInterval {
            steps.removeAll { step in
                guard case .timeToLive(let attribute, let enabled) = step else { return false }
                let when = UTCTime.format(last.addingTimeInterval(Memory.ttlInterval), fraction: false)
                let why =
                    "\(enabled ? "enable" : "disable") TTL on \(attribute) waits until \(when): AWS allows one TTL "
                    + "change per table per hour"
                blockedMessages.append(why)
                markFlagged(&changes, field: "ttlAttribute", reason: .rateLimited, advice: why)
                return true
            }
        }
        let available = steps
        steps = TablePlan.forThisCycle(steps)
        guard !steps.isEmpty else {
            if !backingOff.isEmpty {
                return result(plan, .failed, message: backingOff.joined(separator: "; "), error: backingOff.first)
            }
            if !waiting.isEmpty, blockedMessages.isEmpty {
                return result(
                    plan,
                    plan.flags.isEmpty ? .pending : .flagged,
                    message: "waiting: \(waiting.joined(separator: ", "))"
                )
            }
            if !blockedMessages.isEmpty {
                return TableResult(
                    manifest: plan.manifest,
                    table: plan.table,
                    region: plan.region,
                    outcome: .flagged,
                    changes: changes,
                    message: (blockedMessages + waiting.map { "waiting: \($0)" }).joined(separator: "; ")
                )
            }
            return summarize(plan, changes: changes)
        }
        var done: [String] = []
        var tableCreated: Date?
        for step in steps {
            do throws(AWSError) {
                let answer = try await perform(step, plan: plan, control: control)
                done.append(step.summary)
                if case .create = step {
                    tableCreated = answer?.CreationDateTime.map(Date.init(timeIntervalSince1970:))
                }
                memory.backoff[blockKey(plan, step)] = nil
                if case .timeToLive = step { memory.lastTimeToLiveChange = now }
                if case .updateTable(_, _, "encryption") = step, let answer,
                    let problem = verifyEncryption(answer, desired: desired)
                {
                    memory.blocked[blockKey(plan, step)] = (nil, problem, fingerprintOf(plan, step))
                    markFlagged(&changes, field: "encryption", reason: .unsupported, advice: problem)
                    return TableResult(
                        manifest: plan.manifest,
                        table: plan.table,
                        region: plan.region,
                        outcome: .flagged,
                        changes: changes,
                        message: problem,
                        actionTaken: true
                    )
                }
            } catch {
                return await handle(
                    error,
                    step: step,
                    plan: plan,
                    desired: desired,
                    control: control,
                    context: context,
                    changes: changes,
                    done: done,
                    memory: &memory,
                    now: now
                )
            }
        }
        if case .create = steps.first {
            let follow = [
                desired.spec.ttlAttribute.map { _ in "TTL" },
                desired.spec.pointInTimeRecovery ? "point-in-time recovery" : nil,
            ].compactMap { $0 }
            let encryption = desired.spec.encryption.summary
            let later = follow.isEmpty ? "" : "; \(follow.joined(separator: " and ")) follow once it is ACTIVE"
            var created = TableResult(
                manifest: plan.manifest,
                table: plan.table,
                region: plan.region,
                outcome: .created,
                changes: changes,
                message: "created with encryption \(encryption)\(later)",
                actionTaken: true
            )
            created.tableCreated = tableCreated
            return created
        }
        if plan.changes.isEmpty {
            // Only Tablekeeper's own tags were missing: the table matches its manifest.
            return TableResult(
                manifest: plan.manifest,
                table: plan.table,
                region: plan.region,
                outcome: .inSync,
                message: "in sync; tagged as managed by Tablekeeper",
                actionTaken: true
            )
        }
        let remaining = available.count - steps.count
        let rest = remaining > 0 ? " (\(remaining) more step\(remaining == 1 ? "" : "s") next cycle)" : ""
        let held = blockedMessages + backingOff + waiting.map { "waiting: \($0)" }
        let heldText = held.isEmpty ? "" : "; \(held.joined(separator: "; "))"
        let flags = changes.filter { $0.action == .flag }
        let flagText = flags.isEmpty ? "" : "; flagged: \(flags.map(\.field).joined(separator: ", "))"
        return TableResult(
            manifest: plan.manifest,
            table: plan.table,
            region: plan.region,
            outcome: flags.isEmpty ? .updated : .flagged,
            changes: changes,
            message: "\(done.joined(separator: "; "))\(rest)\(flagText)\(heldText)",
            actionTaken: true
        )
    }

    func result(_ plan: TablePlan, _ outcome: Outcome, message: String, error: String? = nil) -> TableResult {
        TableResult(
            manifest: plan.manifest,
            table: plan.table,
            region: plan.region,
            outcome: outcome,
            changes: plan.changes,
            message: message,
            error: error
        )
    }

    /// The outcome of a plan with nothing to execute: in sync, or flagged with what to do.
    func summarize(_ plan: TablePlan, changes: [Change]) -> TableResult {
        let flags = changes.filter { $0.action == .flag }
        guard !flags.isEmpty else {
            return TableResult(
                manifest: plan.manifest,
                table: plan.table,
                region: plan.region,
                outcome: .inSync,
                message: (["in sync"] + plan.notes).joined(separator: "; ")
            )
        }
        let text = flags.map { flag in
            "\(flag.field) \(flag.from) -> \(flag.to) (\(flag.reason?.rawValue ?? "flag"))\(flag.advice.map { ": \($0)" } ?? "")"
        }
        return TableResult(
            manifest: plan.manifest,
            table: plan.table,
            region: plan.region,
            outcome: .flagged,
            changes: changes,
            message: text.joined(separator: "; ")
        )
    }

    func fieldOf(_ step: Step) -> String {
        switch step {
        case .create: "table"
        case .updateTable(_, _, let field): field
        case .timeToLive: "ttlAttribute"
        case .pointInTimeRecovery: "pointInTimeRecovery"
        case .tag, .untag: "tags"
        case .autoScaling(_, let field): field
        case .replicaSetting(_, _, let field): field
        }
    }

    func blockKey(_ plan: TablePlan, _ step: Step) -> String {
        "\(plan.region)/\(plan.table)/\(fieldOf(step))"
    }

    /// What the block depends on: the same change from the same state.
    func fingerprintOf(_ plan: TablePlan, _ step: Step) -> String {
        let field = fieldOf(step)
        return plan.changes.filter { Self.concerns(field, $0.field) }.map { "\($0.from)>\($0.to)" }
            .joined(separator: "|")
    }

    /// Whether a change belongs to a step's field (a throughput step covers the table's and its indexes').
    static func concerns(_ stepField: String, _ changeField: String) -> Bool {
        for whole in ["provisionedThroughput", "onDemandThroughput", "warmThroughput"] where stepField.hasPrefix(whole)
        {
            return changeField.hasSuffix(whole)
        }
        return changeField.hasPrefix(stepField)
    }

    func markFlagged(_ changes: inout [Change], field: String, reason: Change.Reason, advice: String) {
        for index in changes.indices
        where Self.concerns(field, changes[index].field) && changes[index].action == .update {
            changes[index].action = .flag
            changes[index].reason = reason
            changes[index].advice = advice
        }
    }
}
