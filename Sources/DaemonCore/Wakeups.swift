import Synchronization
import SystemSupport

/// Why the reconcile loop wakes up.
public enum WakeReason: String, Sendable, Hashable, CaseIterable {
    /// The interval (or the requeue delay) elapsed.
    case timer
    /// A signed webhook arrived.
    case webhook
    /// SIGHUP: read the configuration again.
    case reload
    /// Graceful shutdown.
    case shutdown
    /// This daemon became or stopped being the leader.
    case leadership
    /// `tablekeeper reconcile`, `suspend` or `resume` on the control socket.
    case control
}

/// Wake-ups for the reconcile loop, coalesced: reasons posted while a cycle runs are kept once each and handed
/// over together at the next wait, so ten webhooks during a cycle start one cycle after it, not ten.
public final class Wakeups: Sendable {
    private struct State {
        var pending: Set<WakeReason> = []
        var waiter: CheckedContinuation<Set<WakeReason>, Never>?
        /// Counts waits, so a timer that fires late cannot wake a later wait.
        var generation = 0
    }

    private let state = Mutex(State())

    /// Creates an empty set of wake-ups.
    public init() {}

    /// Posts a reason; the loop's current or next wait returns with it.
    public func post(_ reason: WakeReason) {
        post(reason, generation: nil)
    }

    private func post(_ reason: WakeReason, generation: Int?) {
        let resumed: (CheckedContinuation<Set<WakeReason>, Never>, Set<WakeReason>)? = state.withLock { state in
            if let generation, generation != state.generation { return nil }
            state.pending.insert(reason)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            defer { state.pending = [] }
            return (waiter, state.pending)
        }
        if let (waiter, reasons) = resumed { waiter.resume(returning: reasons) }
    }

    /// Waits until something is posted or `timeout` elapses (then `[.timer]`); returns every reason pending.
    /// Cancelling the waiting task counts as a shutdown.
    public func next(timeout: Duration) async -> Set<WakeReason> {
        let generation: Int? = state.withLock { state in
            guard state.pending.isEmpty else { return nil }
            state.generation += 1
            return state.generation
        }
        guard let generation else { return takePending() }
        let timer = OneShotTimer(after: timeout) { [weak self] in
            self?.post(.timer, generation: generation)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Set<WakeReason>? = state.withLock { state in
                    guard state.pending.isEmpty else {
                        defer { state.pending = [] }
                        return state.pending
                    }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            post(.shutdown)
        }
    }

    private func takePending() -> Set<WakeReason> {
        state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
    }
}
