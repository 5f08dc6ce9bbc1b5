import DaemonCore
import Testing

@Suite("daemon health")
struct DaemonHealthTests {
    func snapshot(
        interval: Duration = .seconds(30),
        cycleStarted: Duration? = nil,
        lastFinished: Duration? = nil,
        problem: String? = nil
    ) -> (DaemonHealth.Snapshot, ContinuousClock.Instant) {
        let now = ContinuousClock.now
        let health = DaemonHealth(interval: interval, cycleLimit: .seconds(660))
        if let lastFinished {
            health.cycleFinished(summary: "cycle 1", statusLogProblem: problem, at: now - lastFinished)
        }
        if let cycleStarted { health.cycleStarted(at: now - cycleStarted) }
        return (health.snapshot, now)
    }

    @Test("not ready before the first cycle, ready after it, not ready once three intervals pass without one")
    func readiness() {
        let (fresh, now) = snapshot()
        #expect(fresh.notReadyReason(now: now) == "no cycle has finished yet")
        let (recent, now2) = snapshot(lastFinished: .seconds(20))
        #expect(recent.notReadyReason(now: now2) == nil)
        let (old, now3) = snapshot(lastFinished: .seconds(91))
        #expect(old.notReadyReason(now: now3)?.contains("more than three intervals") == true)
    }

    @Test("an unwritable status log makes the daemon not ready")
    func unwritableLog() {
        let (state, now) = snapshot(lastFinished: .seconds(1), problem: "write /x: No space left on device")
        #expect(state.notReadyReason(now: now) == "the status log is not writable: write /x: No space left on device")
    }

    @Test("the watchdog is fed while cycles finish and stops for a stuck cycle or a stuck wait")
    func watchdog() {
        #expect(snapshot(lastFinished: .seconds(10)).0.isMakingProgress(now: .now))
        let (running, now) = snapshot(cycleStarted: .seconds(60), lastFinished: .seconds(90))
        #expect(running.isMakingProgress(now: now))
        let (stuck, now2) = snapshot(cycleStarted: .seconds(661), lastFinished: .seconds(700))
        #expect(!stuck.isMakingProgress(now: now2))
        let (stalledWait, now3) = snapshot(lastFinished: .seconds(120))
        #expect(!stalledWait.isMakingProgress(now: now3))
    }
}
