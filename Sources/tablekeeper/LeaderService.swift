import AWSCore
import DaemonCore
import DynamoDBControl
import FoundationEssentials
import Glibc
import Leadership
import Logging
import ServiceLifecycle
import StatusLog
import SystemSupport
import TablekeeperConfig

/// The election as a service: ticks until the graceful shutdown, then lets the lease go. It is listed before the
/// reconcile loop, so it is shut down after the loop has finished its last step: no change is in flight when a
/// standby takes over.
final class LeaderService: Service, Sendable {
    let elector: LeaderElector

    init(elector: LeaderElector) {
        self.elector = elector
    }

    func run() async throws {
        let elector = self.elector
        let ticking = Task { await elector.run() }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await ticking.value
            } onGracefulShutdown: {
                ticking.cancel()
            }
        } onCancel: {
            ticking.cancel()
        }
        ticking.cancel()
        await ticking.value
        // Cancelled (the shutdown ran out of time mid-step): calls cut short may still land, so the lease is kept
        // and runs out by itself, and the standby waits a whole lease instead of taking over at once.
        guard !Task.isCancelled else { return }
        await elector.release()
    }
}

extension Runtime {
    /// This daemon's identity in the election: hostname, pid and a random suffix.
    static func leaderIdentity() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let named = buffer.withUnsafeMutableBufferPointer { gethostname($0.baseAddress!, $0.count) } == 0
        let host = named ? String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self) : "unknown-host"
        var generator = SystemRandomNumberGenerator()
        let suffix = String(generator.next() as UInt16, radix: 16)
        return "\(host):\(getpid()):\(suffix)"
    }

    /// The lease's DynamoDB client and store: read and written without the rate limiter (a paced cycle must never
    /// delay a renewal), without retries (the next tick is the retry) and with deadlines well inside the lease.
    func makeLeaseStore(_ leader: TablekeeperConfiguration.Leader) -> (DynamoDBClient, DynamoDBLeaseStore) {
        let leaseRegion = leader.region ?? region
        let client = DynamoDBClient(
            client: AWSJSONClient(
                service: .dynamoDB,
                region: leaseRegion,
                endpoint: endpoint ?? URL(string: AWSService.dynamoDB.defaultEndpoint(region: leaseRegion))!,
                credentials: controls.credentials,
                retry: RetryStrategy(maxAttempts: 1),
                http: controls.http,
                timeout: min(.seconds(5), leader.leaseDuration / 4),
                logger: logger,
                observer: controls.observer
            )
        )
        return (client, DynamoDBLeaseStore(client: client, table: leader.table, name: leader.name))
    }

    /// The elector for `leader`, the lease table made first if missing.
    func makeElector(
        _ leader: TablekeeperConfiguration.Leader,
        identity: String,
        fence: LeaseFence,
        onEvent: @escaping @Sendable (LeaderElection.Event, LeaderElector.Snapshot) -> Void
    ) -> LeaderElector {
        let (client, store) = makeLeaseStore(leader)
        let table = leader.table
        return LeaderElector(
            identity: identity,
            store: store,
            leaseDuration: leader.leaseDuration,
            renewEvery: leader.renewEvery,
            fence: fence,
            logger: logger,
            prepare: { () async throws(AWSError) in try await LeaseTable.ensure(client, table: table) },
            onEvent: onEvent
        )
    }
}

/// A leader event as a status log record.
enum LeaderRecords {
    static func record(_ event: LeaderElection.Event, _ snapshot: LeaderElector.Snapshot) -> StatusRecord {
        var record = StatusRecord(time: StatusRecord.timestamp(Date()), kind: .leader)
        record.identity = snapshot.identity
        record.leader = snapshot.leader
        record.fence = snapshot.fence > 0 ? snapshot.fence : nil
        switch event {
        case .acquired(let fence):
            record.event = "acquired"
            record.message = "this daemon leads (fence \(fence))"
        case .renewedAfterGap(let gap):
            record.event = "renewed-after-gap"
            record.message =
                "leads again (fence \(snapshot.fence)) after \(gap.components.seconds) s without a renewal; nobody "
                + "had taken over meanwhile"
        case .lost(let reason):
            record.event = "lost"
            record.message = reason
        case .standby(let leader):
            record.event = "standby"
            record.message = "\(leader) leads; this daemon fetches git and stands by"
        }
        return record
    }
}

/// `status`'s view of the election: who leads now, by one strongly consistent GetItem.
enum LeaderLookup {
    /// The lease as read.
    enum Answer {
        /// The record (held or released).
        case record(LeaseRecord)
        /// No lease was ever taken.
        case none
        /// It could not be read.
        case unreadable(String)
    }

    static func current(
        _ leader: TablekeeperConfiguration.Leader,
        configuration: TablekeeperConfiguration
    ) async -> Answer {
        let runtime: Runtime
        do {
            runtime = try Runtime.build(configuration: configuration, logger: Logger(label: "tablekeeper.status"))
        } catch {
            return .unreadable("\(error)")
        }
        do throws(LeaseStoreError) {
            return try await runtime.makeLeaseStore(leader).1.read().map(Answer.record) ?? .none
        } catch {
            if case .failed(let cause) = error, cause.kind == .notFound {
                return .none
            }
            return .unreadable("\(error)")
        }
    }

    /// The line `status` prints first.
    static func line(_ answer: Answer) -> String {
        switch answer {
        case .record(let record) where record.released:
            return Sanitizer.line("leader: none (released by \(record.owner); a standby takes over within a renewal)")
        case .record(let record):
            return Sanitizer.line("leader: \(record.owner) since \(record.since) (fence \(record.fence))")
        case .none:
            return "leader: none yet (no daemon has taken the lease)"
        case .unreadable(let reason):
            return Sanitizer.line("leader: unknown (the lease could not be read: \(reason))")
        }
    }

    /// A warning when the log read is not the leader's: its table states may be stale.
    static func warning(_ answer: Answer, log: StatusRecord?) -> String? {
        guard case .record(let record) = answer, !record.released else { return nil }
        guard let writer = log?.identity else {
            return Sanitizer.line(
                "this status log has no leader record, and \(record.owner) leads: read the leader's log on its host"
            )
        }
        guard writer != record.owner else { return nil }
        return Sanitizer.line(
            "this status log was written by \(writer), which does not lead (\(record.owner) does since "
                + "\(record.since)): its table states may be stale; read the leader's log on its host"
        )
    }

    static func json(_ answer: Answer) -> String {
        switch answer {
        case .record(let record):
            return "{\"identity\":\(StatusRecord.quote(record.owner)),\"since\":\(StatusRecord.quote(record.since))"
                + ",\"fence\":\(record.fence),\"released\":\(record.released)}"
        case .none:
            return "null"
        case .unreadable(let reason):
            return "{\"error\":\(StatusRecord.quote(reason))}"
        }
    }
}
