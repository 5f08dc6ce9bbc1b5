public import Logging
public import ServiceLifecycle

/// Sends `WATCHDOG=1` at half of `WATCHDOG_USEC` while the reconcile loop makes progress; a stuck cycle or a
/// stuck wait stops the pings, and systemd restarts the service.
public struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let health: DaemonHealth
    let logger: Logger

    /// Creates the service; it does nothing unless systemd asked for watchdog pings.
    public init(notifier: SystemdNotifier, health: DaemonHealth, logger: Logger) {
        self.notifier = notifier
        self.health = health
        self.logger = logger
    }

    public func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            try? await gracefulShutdown()
            return
        }
        let (notifier, health, logger) = (notifier, health, logger)
        try? await cancelWhenGracefulShutdown {
            var reported = false
            while !Task.isCancelled {
                if health.snapshot.isMakingProgress(now: .now) {
                    notifier.watchdog()
                    reported = false
                } else if !reported {
                    logger.critical("the reconcile loop is stuck; watchdog pings stopped so systemd restarts it")
                    reported = true
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
