import AWSCore
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
    let prepare: @Sendable () async -> Bool
    let onEvent: @Sendable (LeaderElection.Event, Snapshot) -> Void
    let logger: Logger
    /// The fence state-changing calls ask.
    public nonisolated let fence: LeaseFence
    private var election: LeaderElection
    private let current: Mutex<Snapshot>
    /// The failing call and its error code, logged once until that call succeeds again.
    private var problem: (operation: String, code: String)?

    /// An elector for `identity`. `prepare` makes sure the lease table exists (true when it is ready); `onEvent`
    /// hears every change.
    public init(
        identity: String,
        store: any LeaseStore,
        leaseDuration: Duration,
        renewEvery: Duration,
        fence: LeaseFence,
        logger: Logger,
        prepare: @escaping @Sendable () async -> Bool,
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
            if !ready { ready = await prepare() }
            if ready { await tick() }
            try? await Task.sleep(for: renewEvery)
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
        publish([.lost(reason: "released at shutdown")])
        guard case .release(let version, let newVersion) = request else { return }
        do throws(LeaseStoreError) {
            try await store.release(owner: election.identity, version: version, newVersion: newVersion)
            logger.info("leader lease released", metadata: ["identity": "\(election.identity)"])
        } catch {
            logger.warning(
                "the leader lease could not be released; a standby takes over once it runs out",
                metadata: ["error": "\(error)"]
            )
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

    /// A call to the lease table succeeded: a problem with that same call is over (a throttled table may answer
    /// one call and refuse another; that is not an end worth a line).
    private func succeeded(_ operation: String) {
        guard let problem, problem.operation == operation else { return }
        logger.notice("the leader lease table answers again", metadata: ["was": "\(problem.code)"])
        self.problem = nil
    }

    private func failed(_ error: LeaseStoreError, doing what: String) {
        guard case .failed(let cause) = error, problem == nil else { return }
        problem = (cause.operation, cause.code)
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
