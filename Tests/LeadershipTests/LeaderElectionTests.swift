import AWSCore
import Testing

@testable import Leadership

@Suite("leader election")
struct LeaderElectionTests {
    let start = ContinuousClock.now
    let lease: Duration = .seconds(20)

    func record(owner: String, version: String, fence: Int = 1, released: Bool = false) -> LeaseRecord {
        LeaseRecord(
            name: "default",
            owner: owner,
            version: version,
            fence: fence,
            leaseDurationMs: 20_000,
            released: released,
            since: "2026-12-03T00:00:00.000Z"
        )
    }

    /// A daemon that took a fresh lease at `start`.
    func leader() -> LeaderElection {
        var election = LeaderElection(identity: "a", leaseDuration: lease)
        let (request, _) = election.read(nil, now: start, newVersion: "v1", wallClock: "t")
        guard case .create(let claim)? = request else {
            Issue.record("expected a create, got \(String(describing: request))")
            return election
        }
        #expect(claim.fence == 1)
        #expect(election.wrote(claim, sentAt: start, result: .success(())) == [.acquired(fence: 1)])
        return election
    }

    @Test("no record: the first contender creates it and leads with fence 1; the leader renews every tick")
    func firstLeader() {
        var election = leader()
        #expect(election.isLeader)
        let (request, events) = election.next(now: start + .seconds(5), newVersion: "v2")
        #expect(request == .renew(version: "v1", newVersion: "v2"))
        #expect(events.isEmpty)
        #expect(election.renewed(newVersion: "v2", sentAt: start + .seconds(5), result: .success(())).isEmpty)
        #expect(election.lastRenewal == start + .seconds(5))
    }

    @Test("a standby takes over only after one version stays unchanged for a whole lease of its own clock")
    func takeover() {
        var standby = LeaderElection(identity: "b", leaseDuration: lease)
        let held = record(owner: "a", version: "v1", fence: 3)
        var (request, events) = standby.read(held, now: start, newVersion: "x", wallClock: "t")
        #expect(request == nil)
        #expect(events == [.standby(leader: "a")])
        // Renewed: a new version restarts the watch.
        (request, _) = standby.read(
            record(owner: "a", version: "v2", fence: 3),
            now: start + .seconds(15),
            newVersion: "x",
            wallClock: "t"
        )
        #expect(request == nil)
        (request, _) = standby.read(
            record(owner: "a", version: "v2", fence: 3),
            now: start + .seconds(34),
            newVersion: "x",
            wallClock: "t"
        )
        #expect(request == nil, "19 s of one version is less than a lease")
        (request, _) = standby.read(
            record(owner: "a", version: "v2", fence: 3),
            now: start + .seconds(35),
            newVersion: "y",
            wallClock: "t"
        )
        guard case .replace(let expected, let claim)? = request else {
            Issue.record("expected a takeover, got \(String(describing: request))")
            return
        }
        #expect(expected == "v2")
        #expect(claim.fence == 4 && claim.owner == "b" && claim.version == "y")
        #expect(standby.wrote(claim, sentAt: start + .seconds(35), result: .success(())) == [.acquired(fence: 4)])
    }

    @Test("a released lease is taken at once; a lost race leaves the standby watching")
    func released() {
        var standby = LeaderElection(identity: "b", leaseDuration: lease)
        let (request, _) = standby.read(
            record(owner: "a", version: "v9", fence: 2, released: true),
            now: start,
            newVersion: "n",
            wallClock: "t"
        )
        guard case .replace(let expected, let claim)? = request else {
            Issue.record("expected a takeover, got \(String(describing: request))")
            return
        }
        #expect(expected == "v9" && claim.fence == 3)
        #expect(standby.wrote(claim, sentAt: start, result: .failure(.conditionFailed)).isEmpty)
        #expect(!standby.isLeader)
    }

    @Test("errors never make a standby take over; a takeover whose answer was lost is recognised when read back")
    func errors() {
        var standby = LeaderElection(identity: "b", leaseDuration: lease)
        _ = standby.read(record(owner: "a", version: "v1"), now: start, newVersion: "n", wallClock: "t")
        // Reads that fail report nothing to the election: the watch keeps its start, and only a read of the same
        // version a lease later leads to a takeover.
        var (request, _) = standby.read(
            record(owner: "a", version: "v1"),
            now: start + .seconds(21),
            newVersion: "n2",
            wallClock: "t"
        )
        guard case .replace(_, let claim)? = request else {
            Issue.record("expected a takeover")
            return
        }
        let failure = LeaseStoreError.failed(
            .init(operation: "PutItem", code: "Timeout", message: "", kind: .transient)
        )
        #expect(standby.wrote(claim, sentAt: start + .seconds(21), result: .failure(failure)).isEmpty)
        #expect(!standby.isLeader)
        (request, _) = standby.read(
            record(owner: "b", version: "n2", fence: 2),
            now: start + .seconds(26),
            newVersion: "n3",
            wallClock: "t"
        )
        #expect(request == nil)
        #expect(standby.isLeader)
        #expect(standby.lastRenewal == start + .seconds(21), "the lease runs from when the write was sent")
    }

    @Test("a leader that cannot renew steps down when its lease runs out; one whose record was replaced at once")
    func stepDown() {
        var election = leader()
        let failure = LeaseStoreError.failed(
            .init(operation: "UpdateItem", code: "ThrottlingException", message: "", kind: .throttling)
        )
        _ = election.next(now: start + .seconds(5), newVersion: "v2")
        #expect(election.renewed(newVersion: "v2", sentAt: start + .seconds(5), result: .failure(failure)).isEmpty)
        #expect(election.isLeader, "still leading while the lease lasts")
        let (request, events) = election.next(now: start + .seconds(20), newVersion: "v3")
        #expect(request == .read)
        #expect(events.count == 1)
        #expect(!election.isLeader)
        // Its own record, unchanged: nobody took over, so it is taken back at once (with a new fence).
        let (again, _) = election.read(
            record(owner: "a", version: "v1"),
            now: start + .seconds(21),
            newVersion: "v4",
            wallClock: "t"
        )
        guard case .replace("v1", let claim)? = again else {
            Issue.record("expected its own record taken back, got \(String(describing: again))")
            return
        }
        #expect(claim.fence == 2)
        #expect(
            election.wrote(claim, sentAt: start + .seconds(21), result: .success(()))
                == [.renewedAfterGap(gap: .seconds(21))]
        )
        #expect(election.isLeader && election.fence == 2)

        var deposed = leader()
        _ = deposed.next(now: start + .seconds(5), newVersion: "v2")
        let lost = deposed.renewed(newVersion: "v2", sentAt: start + .seconds(5), result: .failure(.conditionFailed))
        #expect(lost.count == 1 && !deposed.isLeader)
    }

    @Test("a renewal whose answer was lost is read back before the next: adopted if made, renewed again if not")
    func lostRenewal() {
        var election = leader()
        let timeout = LeaseStoreError.failed(
            .init(operation: "UpdateItem", code: "Timeout", message: "", kind: .transient)
        )
        _ = election.next(now: start + .seconds(5), newVersion: "v2")
        #expect(election.renewed(newVersion: "v2", sentAt: start + .seconds(5), result: .failure(timeout)).isEmpty)
        var (request, _) = election.next(now: start + .seconds(10), newVersion: "v3")
        #expect(request == .read)
        var (follow, events) = election.read(
            record(owner: "a", version: "v2"),
            now: start + .seconds(10),
            newVersion: "x",
            wallClock: "t"
        )
        #expect(follow == nil && events.isEmpty && election.isLeader)
        #expect(election.lastRenewal == start + .seconds(5) && election.version == "v2")
        // Not made: still this daemon's record at the old version; the next tick renews from it.
        _ = election.next(now: start + .seconds(15), newVersion: "v3")
        _ = election.renewed(newVersion: "v3", sentAt: start + .seconds(15), result: .failure(timeout))
        (request, _) = election.next(now: start + .seconds(16), newVersion: "v4")
        #expect(request == .read)
        (follow, events) = election.read(
            record(owner: "a", version: "v2"),
            now: start + .seconds(16),
            newVersion: "x",
            wallClock: "t"
        )
        #expect(follow == nil && events.isEmpty && election.isLeader)
        (request, _) = election.next(now: start + .seconds(17), newVersion: "v4")
        #expect(request == .renew(version: "v2", newVersion: "v4"))
        // Taken over meanwhile: lost at once, the holder named.
        _ = election.renewed(newVersion: "v4", sentAt: start + .seconds(17), result: .failure(timeout))
        _ = election.next(now: start + .seconds(18), newVersion: "v5")
        (follow, events) = election.read(
            record(owner: "b", version: "w1", fence: 2),
            now: start + .seconds(18),
            newVersion: "x",
            wallClock: "t"
        )
        #expect(!election.isLeader)
        #expect(events.count == 2 && events.last == .standby(leader: "b"), "\(events)")
    }

    @Test("release at a graceful stop; a standby never releases")
    func release() {
        var election = leader()
        #expect(election.release(newVersion: "r") == .release(version: "v1", newVersion: "r"))
        #expect(!election.isLeader)
        var standby = LeaderElection(identity: "b", leaseDuration: lease)
        #expect(standby.release(newVersion: "r") == nil)
    }

    @Test("the fence refuses a change that could outlive the lease")
    func fence() {
        let fence = LeaseFence(leaseDuration: .seconds(20))
        #expect(fence.callDeadline == .seconds(5))
        #expect(fence.refusal(now: start) != nil, "not the leader")
        fence.update(lastRenewal: start)
        #expect(fence.refusal(now: start + .seconds(14)) == nil)
        #expect(fence.refusal(now: start + .seconds(15)) != nil, "15 s + a 5 s deadline reaches the lease's end")
        #expect(LeaseFence(leaseDuration: .seconds(60)).callDeadline == .seconds(10))
    }
}
