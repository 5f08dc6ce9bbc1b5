public import AWSCore
public import Logging
import Synchronization
import UTCTime

import struct FoundationEssentials.Date

/// Runs the election against a lease store: a tick every `renewEvery` (the leader renews, a standby reads),
/// the lease table made first if missing. Every failure is logged once, not per tick, and a standby never takes
/// over on an error, only on a record version unchanged for a whole lease.
public actor LeaderElector {
    /// What the daemon shows of the election.
    public struct Snapshot: Sendable, Equatable {
        /// This daemon's identity.
        public var identity: String
        /// Whether it leads.
        public var isLeader = false
        /// The holder last seen.
        public var leader: String?
        /// When the holder acquired the lease (its own clock).
        public var since: String?
        /// The fence number of this daemon's lease.
        public var fence = 0
        /// How many times this daemon became or stopped being the leader.
        public var changes = 0
    }

    let store: any LeaseStore
    let renewEvery: Duration
    let prepare: @Sendable () async throws(AWSError) -> LeaseTable.Outcome
    let onEvent: @Sendable (LeaderElection.Event, Snapshot) -> Void
    let logger: Logger
    /// The fence state-changing calls ask.
    public nonisolated let fence: LeaseFence
    private var election: LeaderElection
    private let current: Mutex<Snapshot>
    /// The failing calls and their error codes, each logged once until that call succeeds again.
    private var problems: [String: String] = [:]
    /// Whether "the lease table is being created" was said.
    private var saidCreating = false

    /// An elector for `identity`. `prepare` makes sure the lease table exists; `onEvent` hears every change.
    public init(
        identity: String,
        store: any LeaseStore,
        leaseDuration: Duration,
        renewEvery: Duration,
        fence: LeaseFence,
        logger: Logger,
        prepare: @escaping @Sendable () async throws(AWSError) -> LeaseTable.Outcome,
        onEvent: @escaping @Sendable (LeaderElection.Event, Snapshot) -> Void
    ) {
        self.store = store
        self.renewEvery = renewEvery
        self.prepare = prepare
        self.onEvent = onEvent
        self.logger = logger
        self.fence = fence
        self.election = LeaderElection(identity: identity, leaseDuration: leaseDuration)
        self.current = Mutex(Snapshot(identity: identity))
    }

    /// The election as it stands (for /readyz, the metrics and the loop).
    public nonisolated var snapshot: Snapshot { current.withLock { $0 } }

    /// Ticks until the task is cancelled.
    public func run() async {
        var ready = false
        while !Task.isCancelled {
            if !ready { ready = await prepareTable() }
            if ready { await tick() }
            try? await Task.sleep(for: renewEvery)
        }
    }

    /// The lease table ready (made if missing); every problem said once.
    private func prepareTable() async -> Bool {
        do throws(AWSError) {
            let outcome = try await prepare()
            succeeded("DescribeTable")
            succeeded("CreateTable")
            if outcome == .creating, !saidCreating {
                saidCreating = true
                logger.notice("the leader lease table is being created; standing by until it is ACTIVE")
            }
            return outcome == .ready
        } catch {
            failed(.failed(error), doing: "read or make the leader lease table")
            return false
        }
    }

    /// One tick: renew or read, and the write a read calls for.
    public func tick() async {
        let (request, events) = election.next(now: .now, newVersion: Self.newVersion())
        publish(events)
        await send(request)
    }

    /// Lets the lease go if this daemon holds it (a graceful stop), so a standby takes over at its next look.
    public func release() async {
        guard let request = election.release(newVersion: Self.newVersion()) else { return }
        fence.update(lastRenewal: nil)
        guard case .release(let version, let newVersion) = request else { return }
        do throws(LeaseStoreError) {
            try await store.release(owner: election.identity, version: version, newVersion: newVersion)
            publish([.lost(reason: "released at shutdown")])
        } catch {
            publish([
                .lost(
                    reason:
                        "stopped; the lease could not be released (\(error)), so a standby takes over once it runs out"
                )
            ])
        }
    }

    private func send(_ request: LeaderElection.Request) async {
        switch request {
        case .read:
            let result: Result<LeaseRecord?, LeaseStoreError>
            do throws(LeaseStoreError) {
                result = .success(try await store.read())
                succeeded("GetItem")
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let record):
                let (next, events) = election.read(
                    record,
                    now: .now,
                    newVersion: Self.newVersion(),
                    wallClock: UTCTime.format(Date())
                )
                publish(events)
                if let next { await send(next) }
            case .failure(let error):
                failed(error, doing: "read the leader lease")
            }
        case .create(let record), .replace(_, let record):
            let sentAt = ContinuousClock.now
            let result: Result<Void, LeaseStoreError>
            do throws(LeaseStoreError) {
                if case .replace(let expected, _) = request {
                    try await store.replace(expected: expected, with: record)
                } else {
                    try await store.create(record)
                }
                result = .success(())
                succeeded("PutItem")
            } catch {
                result = .failure(error)
                if error != .conditionFailed { failed(error, doing: "take the leader lease") }
            }
            publish(election.wrote(record, sentAt: sentAt, result: result))
        case .renew(let version, let newVersion):
            let sentAt = ContinuousClock.now
            let result: Result<Void, LeaseStoreError>
            do throws(LeaseStoreError) {
                try await store.renew(owner: election.identity, version: version, newVersion: newVersion)
                result = .success(())
                succeeded("UpdateItem")
            } catch {
                result = .failure(error)
                if error != .conditionFailed { failed(error, doing: "renew the leader lease") }
            }
            publish(election.renewed(newVersion: newVersion, sentAt: sentAt, result: result))
        case .release:
            break
        }
    }

    private func publish(_ events: [LeaderElection.Event]) {
        fence.update(lastRenewal: election.isLeader ? election.lastRenewal : nil)
        let snapshot = current.withLock { snapshot in
            let changes = events.filter {
                switch $0 {
                case .acquired, .lost, .renewedAfterGap: true
                case .standby: false
                }
            }.count
            snapshot.isLeader = election.isLeader
            snapshot.leader = election.holder
            snapshot.since = election.holderSince
            snapshot.fence = election.fence
            snapshot.changes += changes
            return snapshot
        }
        for event in events { onEvent(event, snapshot) }
    }

    /// A call to the lease table succeeded: a problem with that same call is over.
    private func succeeded(_ operation: String) {
        guard let code = problems.removeValue(forKey: operation) else { return }
        logger.notice(
            "the leader lease table answers again",
            metadata: ["operation": "\(operation)", "was": "\(code)"]
        )
    }

    /// A call failed: said once per call until it succeeds again (a throttled table may answer one call and refuse
    /// another, and a renewal every few seconds must not become a line every few seconds).
    private func failed(_ error: LeaseStoreError, doing what: String) {
        guard case .failed(let cause) = error, problems[cause.operation] == nil else { return }
        problems[cause.operation] = cause.code
        logger.warning(
            "could not \(what); a leader keeps leading only while its lease lasts, a standby never takes over on an error",
            metadata: ["error": "\(cause)"]
        )
    }

    /// A new random record version.
    static func newVersion() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt32, radix: 16) }.joined(separator: "-")
    }
}
