import Foundation
import GitSource
import Logging
import Reconcile
import StatusLog
import TablekeeperConfig

/// The long-running service: a cycle at start, then one every interval (±10 % jitter), pending tables looked
/// at again after a short requeue, SIGTERM and SIGINT finishing the cycle in flight.
struct Daemon {
    let runtime: Runtime
    let configPath: String

    /// How soon tables with work left are looked at again.
    static let requeue: Duration = .seconds(5)

    func run() async throws {
        let configuration = runtime.configuration
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
        var trigger = "start"
        runtime.logger.info("tablekeeper started", metadata: ["interval": "\(configuration.source.interval)"])
        while !stop.isRaised {
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
            await stop.wait(upTo: wait)
        }
        writer.sync()
        runtime.logger.info("tablekeeper stopped")
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

    func wait(upTo duration: Duration) async {
        let deadline = ContinuousClock.now + duration
        while !isRaised, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(200), deadline - ContinuousClock.now))
        }
    }
}
