import Foundation
import GitSource
import Logging
import Manifest
import Reconcile
import StatusLog
import TablekeeperConfig

/// The long-running service: a cycle at start, then one every interval (±10 % jitter), pending tables looked
/// at again after a short requeue, SIGTERM and SIGINT finishing the cycle in flight, SIGHUP reloading the
/// configuration file (a bad one is refused, every problem logged, and the old one stays in force).
struct Daemon {
    let runtime: Runtime
    let configPath: String

    /// How soon tables with work left are looked at again.
    static let requeue: Duration = .seconds(5)

    func run() async throws {
        var configuration = runtime.configuration
        let writer = StatusLogWriter(
            path: configuration.statusLog.path,
            maxBytes: configuration.statusLog.maxBytes,
            keep: configuration.statusLog.keep
        )
        var settings = runtime.reconcilerSettings
        settings.orphanSweepInterval = .seconds(600)
        let reconciler = Reconciler(
            settings: settings,
            controls: runtime.controls.factory,
            statusLog: writer,
            history: StatusLogReader.read(path: configuration.statusLog.path, latestCycleOnly: true).records,
            logger: runtime.logger
        )
        let source = runtime.makeGitSource()
        let stop = SignalFlag(signals: [SIGTERM, SIGINT])
        let reload = SignalFlag(signals: [SIGHUP])
        var trigger = "start"
        runtime.logger.info("tablekeeper started", metadata: ["interval": "\(configuration.source.interval)"])
        while !stop.isRaised {
            if reload.consume(), let reloaded = reloadConfiguration(current: configuration) {
                configuration = reloaded.configuration
                var newSettings = reloaded.reconcilerSettings
                newSettings.orphanSweepInterval = .seconds(600)
                await reconciler.update(settings: newSettings)
                await source.reconfigure(configuration.gitSource)
                trigger = "reload"
            }
            let poll = await source.poll()
            let report = await reconciler.runCycle(poll: poll, trigger: trigger)
            runtime.logger.info(
                "cycle finished",
                metadata: [
                    "cycle": "\(report.cycle)", "revision": "\(report.revision ?? "-")",
                    "durationMs": "\(report.durationMs)",
                ]
            )
            // ±10 % jitter, so many daemons polling one remote do not stay in step.
            var wait = configuration.source.interval * Double.random(in: 0.9...1.1)
            trigger = "poll"
            if report.hasPendingWork, Self.requeue < wait {
                wait = Self.requeue
                trigger = "requeue"
            }
            await SignalFlag.wait(upTo: wait, untilAnyOf: [stop, reload])
        }
        writer.sync()
        runtime.logger.info("tablekeeper stopped")
    }

    /// The configuration file read again, or nil (with every problem logged) when it is refused.
    func reloadConfiguration(current: TablekeeperConfiguration) -> Runtime? {
        let logger = runtime.logger
        switch ConfigurationDecoder.load(path: configPath) {
        case .failure(let errors):
            for error in errors.errors {
                logger.error(
                    "configuration refused; the previous one stays in force",
                    metadata: ["problem": "\(error)"]
                )
            }
            return nil
        case .success(let loaded):
            guard let reloaded = try? Runtime.make(configuration: loaded, logger: logger) else {
                logger.error("configuration refused: no AWS region; the previous one stays in force")
                return nil
            }
            if loaded.aws.endpoint != current.aws.endpoint || reloaded.region != runtime.region
                || loaded.statusLog != current.statusLog || loaded.http != current.http
            {
                logger.warning("aws, statusLog and http settings take effect after a restart")
            }
            logger.info("configuration reloaded", metadata: ["config": "\(configPath)"])
            return reloaded
        }
    }
}

/// Raised when one of the signals arrives; waits can be cut short by it.
final class SignalFlag: @unchecked Sendable {
    // Mutated only on `queue`; `sources` keeps the dispatch sources alive.
    private let queue = DispatchQueue(label: "tablekeeper.signals")
    private var raised = false
    private var sources: [any DispatchSourceSignal] = []

    init(signals: [Int32]) {
        // A parent may have blocked these signals (the mask is inherited): unblock them for this thread.
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.raised = true }
            source.resume()
            sources.append(source)
        }
    }

    var isRaised: Bool {
        queue.sync { raised }
    }

    /// Whether the signal arrived since the last call (and forgets it).
    func consume() -> Bool {
        queue.sync {
            defer { raised = false }
            return raised
        }
    }

    /// Sleeps for `duration`, or less when one of the flags is raised.
    static func wait(upTo duration: Duration, untilAnyOf flags: [SignalFlag]) async {
        let deadline = ContinuousClock.now + duration
        while !flags.contains(where: \.isRaised), ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(200), deadline - ContinuousClock.now))
        }
    }
}
