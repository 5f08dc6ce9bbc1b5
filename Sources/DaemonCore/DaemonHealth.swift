import Synchronization

/// What the daemon knows about its own progress: read by /readyz, the watchdog and the metrics.
public final class DaemonHealth: Sendable {
    /// A moment of the daemon's life.
    public struct Snapshot: Sendable {
        /// When the daemon started.
        public var started: ContinuousClock.Instant
        /// The poll interval in force.
        public var interval: Duration
        /// How long a cycle may run before it counts as stuck.
        public var cycleLimit: Duration
        /// When the running cycle started; nil between cycles.
        public var cycleStarted: ContinuousClock.Instant?
        /// When the last cycle finished.
        public var lastCycleFinished: ContinuousClock.Instant?
        /// The last cycle's one-line summary.
        public var lastSummary: String?
        /// Why the status log cannot be written; nil when it can.
        public var statusLogProblem: String?
    }

    private let state: Mutex<Snapshot>

    /// Creates the health of a daemon starting now.
    public init(interval: Duration, cycleLimit: Duration) {
        state = Mutex(
            Snapshot(started: .now, interval: interval, cycleLimit: cycleLimit)
        )
    }

    /// The current state.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// A cycle begins.
    public func cycleStarted(at instant: ContinuousClock.Instant = .now) {
        state.withLock { $0.cycleStarted = instant }
    }

    /// A cycle ended.
    public func cycleFinished(summary: String, statusLogProblem: String?, at instant: ContinuousClock.Instant = .now) {
        state.withLock {
            $0.cycleStarted = nil
            $0.lastCycleFinished = instant
            $0.lastSummary = summary
            $0.statusLogProblem = statusLogProblem
        }
    }

    /// A new interval and cycle limit (after a reload).
    public func update(interval: Duration, cycleLimit: Duration) {
        state.withLock {
            $0.interval = interval
            $0.cycleLimit = cycleLimit
        }
    }
}

extension DaemonHealth.Snapshot {
    /// Why the daemon is not ready, or nil when it is: the last cycle finished within three intervals and the
    /// status log is writable.
    public func notReadyReason(now: ContinuousClock.Instant) -> String? {
        guard let finished = lastCycleFinished else { return "no cycle has finished yet" }
        if let problem = statusLogProblem { return "the status log is not writable: \(problem)" }
        let age = now - finished
        if age > interval * 3 {
            return "the last cycle finished \(age.components.seconds) s ago, more than three intervals"
        }
        return nil
    }

    /// Whether to send a watchdog ping: the loop is waiting no longer than an interval (with jitter and slack)
    /// allows, or runs a cycle younger than the cycle limit. A stuck cycle or a stuck wait stops the pings.
    public func isMakingProgress(now: ContinuousClock.Instant) -> Bool {
        if let cycleStarted { return now - cycleStarted < cycleLimit }
        let idleSince = lastCycleFinished ?? started
        return now - idleSince < interval * 1.1 + .seconds(30)
    }
}
