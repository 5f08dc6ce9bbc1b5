/// The election, as a pure state machine in the scheme of the Amazon DynamoDB Lock Client: the holder renews a
/// random record version every `renewEvery`; a contender that sees one version unchanged for a whole
/// `leaseDuration` of its own monotonic clock takes the lease over with a conditional write and raises the fence
/// number. No clock is compared with another host's. The driver sends what `next` asks for and reports back.
public struct LeaderElection: Sendable {
    /// This daemon's identity.
    public let identity: String
    /// The lease duration.
    public let leaseDuration: Duration

    /// What to send to the lease store.
    public enum Request: Sendable, Equatable {
        /// Read the record.
        case read
        /// Write the first record.
        case create(LeaseRecord)
        /// Replace the record at version `expected`.
        case replace(expected: String, with: LeaseRecord)
        /// Renew this daemon's record at `version`.
        case renew(version: String, newVersion: String)
        /// Let this daemon's record at `version` go.
        case release(version: String, newVersion: String)
    }

    /// What happened, for the status log, the metrics and the logs.
    public enum Event: Sendable, Equatable {
        /// This daemon leads, with this fence number.
        case acquired(fence: Int)
        /// This daemon leads again after its lease lapsed (the process was paused, or the store could not be
        /// reached) because nobody had taken over meanwhile: its own record was unchanged. `gap` runs from its last
        /// renewal before the lapse.
        case renewedAfterGap(gap: Duration)
        /// This daemon no longer leads.
        case lost(reason: String)
        /// Another daemon leads (reported when the holder is first seen, and when it changes).
        case standby(leader: String)
    }

    /// Whether this daemon leads.
    public private(set) var isLeader = false
    /// The fence number of this daemon's lease (the last one it held).
    public private(set) var fence = 0
    /// The holder last seen (this daemon's identity while it leads).
    public private(set) var holder: String?
    /// When the holder acquired the lease, by its own clock.
    public private(set) var holderSince: String?
    /// When the last successful renewal (or acquisition) was sent: the lease is this daemon's until a whole
    /// `leaseDuration` after it.
    public private(set) var lastRenewal: ContinuousClock.Instant?
    /// This daemon's record version while it leads.
    public private(set) var version: String?
    /// The version being watched, and since when it has been seen unchanged.
    private var watch: (version: String, since: ContinuousClock.Instant)?
    /// A create or replace whose outcome is unknown (the call failed): recognised when read back.
    private var pending: (record: LeaseRecord, sentAt: ContinuousClock.Instant)?
    /// A renewal whose answer was lost (the call failed): it may have been made, so the record is read before the
    /// next renewal, and adopted if it shows that version.
    private var pendingRenewal: (version: String, sentAt: ContinuousClock.Instant)?
    /// The last renewal of a lease this daemon let lapse (it could not renew in time); a retake of its own record,
    /// unchanged meanwhile, is a renewal after a gap.
    private var lapsedSince: ContinuousClock.Instant?

    /// An election for `identity`.
    public init(identity: String, leaseDuration: Duration) {
        self.identity = identity
        self.leaseDuration = leaseDuration
    }

    /// What to send at a tick: a leader renews (or steps down when its lease has run out unrenewed); a standby
    /// reads.
    public mutating func next(now: ContinuousClock.Instant, newVersion: String) -> (Request, [Event]) {
        guard isLeader, let version, let lastRenewal else { return (.read, []) }
        if now - lastRenewal >= leaseDuration {
            let events = stepDown(reason: "the lease could not be renewed within \(leaseDuration)")
            lapsedSince = lastRenewal
            return (.read, events)
        }
        if pendingRenewal != nil { return (.read, []) }
        return (.renew(version: version, newVersion: newVersion), [])
    }

    /// The answer to a read, at `now` (taken after the answer arrived); the write to send next, if any.
    public mutating func read(
        _ record: LeaseRecord?,
        now: ContinuousClock.Instant,
        newVersion: String,
        wallClock: String
    ) -> (Request?, [Event]) {
        var events: [Event] = []
        if isLeader {
            // A leader reads only after a renewal whose answer was lost.
            let lost = pendingRenewal
            pendingRenewal = nil
            if let record, record.owner == identity, !record.released {
                if let lost, record.version == lost.version {
                    version = lost.version
                    lastRenewal = lost.sentAt
                    return (nil, [])
                }
                if record.version == version { return (nil, []) }
            }
            events += stepDown(reason: "\(record?.owner ?? "nobody") holds the lease now")
        }
        guard let record else {
            return (.create(claim(version: newVersion, fence: fence + 1, wallClock: wallClock)), events)
        }
        if let pending, record.owner == identity, record.version == pending.record.version {
            // A takeover whose answer was lost did happen: the lease runs from when it was sent.
            self.pending = nil
            return (nil, become(pending.record, sentAt: pending.sentAt))
        }
        pending = nil
        if record.owner != identity, !record.released, record.owner != holder {
            holder = record.owner
            holderSince = record.since
            events.append(.standby(leader: record.owner))
        }
        let claim = claim(version: newVersion, fence: max(fence, record.fence) + 1, wallClock: wallClock)
        if record.released || (record.owner == identity && !isLeader && record.version == version) {
            // Let go by its holder, or this daemon's own record that nobody replaced: taken at once.
            watch = nil
            if record.released { lapsedSince = nil }
            return (.replace(expected: record.version, with: claim), events)
        }
        lapsedSince = nil
        guard let watch, watch.version == record.version else {
            self.watch = (record.version, now)
            return (nil, events)
        }
        // The longer of the two leases: a holder configured with a longer one is not cut short.
        if now - watch.since >= max(leaseDuration, .milliseconds(record.leaseDurationMs)) {
            // Unchanged for a whole lease of this host's clock: its holder has stopped renewing.
            self.watch = nil
            return (.replace(expected: record.version, with: claim), events)
        }
        return (nil, events)
    }

    /// A create or replace was sent at `sentAt`: its answer.
    public mutating func wrote(
        _ record: LeaseRecord,
        sentAt: ContinuousClock.Instant,
        result: Result<Void, LeaseStoreError>
    ) -> [Event] {
        switch result {
        case .success:
            let lapsed = lapsedSince
            let events = become(record, sentAt: sentAt)
            // Its own record, unchanged since its lease lapsed: nobody led meanwhile.
            return lapsed.map { [.renewedAfterGap(gap: sentAt - $0)] } ?? events
        case .failure(.conditionFailed):
            // Another contender was first.
            lapsedSince = nil
            return []
        case .failure(.failed):
            pending = (record, sentAt)
            return []
        }
    }

    /// A renewal was sent at `sentAt`: its answer.
    public mutating func renewed(
        newVersion: String,
        sentAt: ContinuousClock.Instant,
        result: Result<Void, LeaseStoreError>
    ) -> [Event] {
        guard isLeader else { return [] }
        switch result {
        case .success:
            version = newVersion
            lastRenewal = sentAt
            return []
        case .failure(.conditionFailed):
            return stepDown(reason: "the lease was taken over (its record changed)")
        case .failure(.failed):
            // Still the leader while the lease lasts (`next` steps down when it runs out); the renewal may have been
            // made, so the record is read first next time.
            pendingRenewal = (newVersion, sentAt)
            return []
        }
    }

    /// This daemon lets the lease go (a graceful stop): the release to send, if it leads.
    public mutating func release(newVersion: String) -> Request? {
        guard isLeader, let version else { return nil }
        isLeader = false
        lastRenewal = nil
        holder = nil
        holderSince = nil
        self.version = nil
        return .release(version: version, newVersion: newVersion)
    }

    private func claim(version: String, fence: Int, wallClock: String) -> LeaseRecord {
        LeaseRecord(
            name: "",
            owner: identity,
            version: version,
            fence: fence,
            leaseDurationMs: Int(leaseDuration.components.seconds * 1000)
                + Int(leaseDuration.components.attoseconds / 1_000_000_000_000_000),
            since: wallClock
        )
    }

    private mutating func become(_ record: LeaseRecord, sentAt: ContinuousClock.Instant) -> [Event] {
        lapsedSince = nil
        isLeader = true
        fence = record.fence
        version = record.version
        lastRenewal = sentAt
        holder = identity
        holderSince = record.since
        watch = nil
        return [.acquired(fence: record.fence)]
    }

    private mutating func stepDown(reason: String) -> [Event] {
        guard isLeader else { return [] }
        isLeader = false
        lastRenewal = nil
        pendingRenewal = nil
        holder = nil
        holderSince = nil
        // `version` is kept: if nobody replaces this record, it is taken back at once.
        watch = nil
        return [.lost(reason: reason)]
    }
}
