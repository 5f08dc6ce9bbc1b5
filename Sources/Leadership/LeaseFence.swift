public import AWSCore
import Synchronization

/// The leader's fence: a state-changing call is sent only while the last successful renewal is younger than the
/// lease duration minus the call's deadline, so it is over before any standby can take the lease over.
public final class LeaseFence: MutationFence {
    /// The lease duration.
    public let leaseDuration: Duration
    /// The deadline of a state-changing call: a quarter of the lease, at most 10 s.
    public let callDeadline: Duration
    /// When the last successful renewal was sent, while this daemon leads; nil otherwise.
    private let lastRenewal = Mutex<ContinuousClock.Instant?>(nil)

    /// A fence for a lease of `leaseDuration`.
    public init(leaseDuration: Duration) {
        self.leaseDuration = leaseDuration
        self.callDeadline = min(.seconds(10), leaseDuration / 4)
    }

    /// The renewal the lease runs from, or nil when this daemon does not lead.
    public func update(lastRenewal instant: ContinuousClock.Instant?) {
        lastRenewal.withLock { $0 = instant }
    }

    /// Whether this daemon leads and its lease is in force for a call sent now.
    public var isLeading: Bool { refusal() == nil }

    public func refusal() -> String? {
        refusal(now: .now)
    }

    func refusal(now: ContinuousClock.Instant) -> String? {
        guard let last = lastRenewal.withLock({ $0 }) else { return "this daemon is not the leader" }
        let age = now - last
        if age + callDeadline >= leaseDuration {
            return "the lease was last renewed \(age.components.seconds) s ago and could run out before the call "
                + "ends (this daemon may no longer be the leader)"
        }
        return nil
    }
}
