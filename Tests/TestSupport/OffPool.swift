public import Foundation

/// Runs blocking work (a child process, a server's start-up, a socket read) on a thread of its own.
///
/// Swift's cooperative pool has one thread per core: two on the CI machine. Tests run in parallel, so a helper that
/// blocks a pool thread (waiting for moto to start, for git to finish) stalls every other test's `await`s, and a
/// deadline measured by one test then includes the others' waits. Every blocking helper goes through this instead.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// `offPool` for work that cannot fail.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}

extension Process {
    /// Waits for the process to exit without holding a cooperative thread.
    public func exited() async {
        await offPool { self.waitUntilExit() }
    }
}
