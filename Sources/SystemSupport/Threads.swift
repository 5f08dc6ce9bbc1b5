import Glibc

/// Runs `body` on a new detached thread, for work that blocks (a child's pipes, `waitpid`) and must not hold one of
/// Swift's cooperative threads. Foundation's `Thread` would do, but this package links only FoundationEssentials.
public func startThread(_ body: @escaping @Sendable () -> Void) {
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
        &thread,
        nil,
        { context in
            let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        },
        box
    )
    guard result == 0 else {
        // No thread could be made (the process is at its limit): run the work here rather than lose it.
        Unmanaged<ThreadBody>.fromOpaque(box).takeRetainedValue().run()
        return
    }
    pthread_detach(thread)
}

private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void

    init(_ run: @escaping @Sendable () -> Void) {
        self.run = run
    }
}
