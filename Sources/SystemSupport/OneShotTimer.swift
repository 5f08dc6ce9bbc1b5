import Dispatch

/// Runs a closure once after a delay unless cancelled first. Unlike a task sleeping in `Task.sleep`, which
/// keeps its timer and task memory until the original deadline even when cancelled, a cancelled dispatch
/// timer is released at once: a loop that arms a one-hour timer every few seconds keeps nothing behind.
public final class OneShotTimer: @unchecked Sendable {
    // Created, armed and cancelled once; the dispatch source is thread-safe.
    private let source: any DispatchSourceTimer

    /// Arms the timer: `action` runs once on a global queue after `delay`.
    public init(after delay: Duration, _ action: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: .global())
        source.schedule(deadline: .now() + .nanoseconds(Int(clamping: max(0, delay.inNanoseconds))))
        source.setEventHandler(handler: action)
        source.activate()
    }

    /// Stops the timer; `action` does not run if it has not yet.
    public func cancel() {
        source.cancel()
    }

    deinit {
        source.cancel()
    }
}
