import DaemonCore
import FoundationEssentials
import GitSource
import Leadership
import Logging
import Manifest
import Reconcile
import ServiceLifecycle
import StatusLog
import Synchronization
import TablekeeperConfig
import UnixSignals

/// The reconcile loop as a service: one cycle at start, then one every interval (±10 % jitter) or sooner on a
/// webhook, pending tables looked at again after a short requeue, one cycle at a time.
final class ReconcileLoop: Service, Sendable {
    let initial: Runtime
    let configPath: String
    let health: DaemonHealth
    let wakeups: Wakeups
    let notifier: SystemdNotifier
    let routes: DaemonRoutes
    let metrics: DaemonMetrics
    /// The election, when several daemons share the configuration; nil for a single daemon.
    let elector: LeaderElector?
    /// The status log's writer (leader records are written through it too).
    let writer: StatusLogWriter
    /// The receivers told about outcomes that change, if any.
    let notifications: NotificationCenter?
    /// Commit statuses at the git host, if configured.
    let commitStatus: CommitStatusReporter?
    /// Cycles asked for on the control socket, and suspensions from the command line.
    let control: (requests: ControlRequests, suspensions: SuspensionStore)?
    /// Raised at graceful shutdown: the cycle in flight finishes its steps and no new one starts.
    let stopping = Atomic<Bool>(false)

    /// How soon tables with work left are looked at again.
    static let requeue: Duration = .seconds(5)
    /// How often managed tables missing from the manifests are looked for.
    static let orphanSweep: Duration = .seconds(600)

    /// How long a cycle may run before the watchdog counts it as stuck: the git deadline plus ten minutes.
    static func cycleLimit(_ configuration: TablekeeperConfiguration) -> Duration {
        configuration.source.deadline + .seconds(600)
    }

    init(
        runtime: Runtime,
        configPath: String,
        health: DaemonHealth,
        wakeups: Wakeups,
        notifier: SystemdNotifier,
        routes: DaemonRoutes,
        metrics: DaemonMetrics,
        elector: LeaderElector?,
        writer: StatusLogWriter,
        notifications: NotificationCenter? = nil,
        commitStatus: CommitStatusReporter? = nil,
        control: (requests: ControlRequests, suspensions: SuspensionStore)? = nil
    ) {
        self.initial = runtime
        self.configPath = configPath
        self.health = health
        self.wakeups = wakeups
        self.notifier = notifier
        self.routes = routes
        self.metrics = metrics
        self.elector = elector
        self.writer = writer
        self.notifications = notifications
        self.commitStatus = commitStatus
        self.control = control
    }

    func run() async throws {
        let wakeups = self.wakeups
        let hangups = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) { wakeups.post(.reload) }
        }
        defer { hangups.cancel() }
        await withGracefulShutdownHandler {
            await loop()
        } onGracefulShutdown: { [self] in
            stopping.store(true, ordering: .relaxed)
            notifier.stopping()
            wakeups.post(.shutdown)
        }
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Whether this daemon may reconcile: there is no election, or it leads and its lease is in force (a daemon
    /// resumed after a pause learns it has lost the lease only at its next renewal; the fence knows at once).
    private var isLeading: Bool { elector?.fence.isLeading ?? true }

    private func loop() async {
        var runtime = initial
        let logger = runtime.logger
        let (reconciler, writer) = runtime.makeRecordingReconciler(settings: Self.settings(runtime), writer: writer)
        let source = runtime.makeGitSource()
        var trigger = "start"
        var ready = false
        var requeued: Set<String> = []
        var lastFullCycle = ContinuousClock.now
        var nextFullCycle = ContinuousClock.now
        logger.info("tablekeeper started", metadata: ["interval": "\(runtime.configuration.source.interval)"])
        while !isStopping {
            if !isLeading {
                // A standby fetches git (a takeover starts warm) but neither observes nor changes tables.
                control?.requests.failAll()
                let summary = await standBy(source: source)
                guard !isStopping else { break }
                if ready {
                    notifier.status(summary)
                } else {
                    notifier.ready(status: summary)
                    ready = true
                }
                // A leader whose renewal was late looks again soon: the next renewal puts the lease back in force.
                let wait =
                    elector?.snapshot.isLeader == true
                    ? Duration.seconds(1) : runtime.configuration.source.interval * Double.random(in: 0.9...1.1)
                let reasons = await wakeups.next(timeout: wait)
                if reasons.contains(.shutdown) || isStopping { break }
                if reasons.contains(.reload) {
                    await reloadConfiguration(&runtime, reconciler: reconciler, source: source)
                }
                trigger = reasons.contains(.leadership) ? "leader" : "poll"
                continue
            }
            health.cycleStarted()
            let polled = ContinuousClock.now
            if let control {
                await reconciler.setSuspensions(control.suspensions.current)
                // A suspension made while the cycle runs holds the steps not yet made.
                let store = control.suspensions
                await reconciler.setSuspensionSource { store.current }
            }
            // A cycle asked for on the control socket reads the mirror as it is unless it asked to fetch first.
            let offline = trigger == "reconcile" && !(control?.requests.takeFetch() ?? true)
            // A shutdown cancels a fetch in flight (the worker is killed); the cycle is then not recorded.
            let poll = await cancelWhenGracefulShutdown { await source.poll(offline: offline) }
            guard !isStopping else { break }
            let pollDuration = ContinuousClock.now - polled
            // A requeue looks only at the tables with work left; every other wake-up at all of them.
            let only = trigger == "requeue" ? requeued : nil
            // Every record of the cycle carries the fence of the lease it started under, also when the lease is lost
            // meanwhile; a daemon that stops leading stops the cycle at once (its changes are also fenced off).
            writer.stamp(fence: elector?.snapshot.fence)
            let report = await reconciler.runCycle(poll: poll, trigger: trigger, only: only) { [self] in
                isStopping || !isLeading
            }
            writer.stamp(fence: nil)
            // A cycle that did not fetch (asked for on the control socket) does not put off the next fetch.
            if only == nil, !offline { lastFullCycle = .now }
            let summary = Self.summary(report)
            metrics.gitPolled(duration: pollDuration, failed: report.sourceError != nil)
            metrics.cycleFinished(
                report,
                statusLogWritable: writer.lastError == nil,
                duration: ContinuousClock.now - polled,
                full: only == nil && report.skippedAtShutdown == 0
            )
            health.cycleFinished(summary: summary, statusLogProblem: writer.lastError)
            // Queued only: delivery runs on its own tasks and never holds the loop.
            await notifications?.cycleFinished(report)
            await commitStatus?.cycleFinished(report, full: only == nil && report.skippedAtShutdown == 0)
            if only == nil { control?.requests.finished(report, started: polled) }
            if ready {
                notifier.status(summary)
            } else {
                notifier.ready(status: summary)
                ready = true
            }
            logger.info(
                "cycle finished",
                metadata: [
                    "cycle": "\(report.cycle)", "revision": "\(report.revision ?? "-")",
                    "durationMs": "\(report.durationMs)", "trigger": "\(trigger)",
                ]
            )
            if report.skippedAtShutdown > 0 {
                logger.notice(
                    isStopping
                        ? "shutdown: tables left for the next start" : "leadership lost: tables left for the leader",
                    metadata: ["tables": "\(report.skippedAtShutdown)"]
                )
            }
            // ±10 % jitter after a full cycle (daemons polling one remote do not stay in step); a requeue never
            // postpones the next full cycle.
            if only == nil {
                nextFullCycle = lastFullCycle + runtime.configuration.source.interval * Double.random(in: 0.9...1.1)
            }
            var wait = max(.zero, nextFullCycle - .now)
            var timerTrigger = "poll"
            requeued = Set(
                report.results.filter { [.pending, .created, .updated].contains($0.outcome) }.map {
                    "\($0.region)/\($0.table)"
                }
            )
            if !requeued.isEmpty, Self.requeue < wait {
                wait = Self.requeue
                timerTrigger = "requeue"
            }
            let reasons = await wakeups.next(timeout: wait)
            if reasons.contains(.shutdown) || isStopping { break }
            if reasons.contains(.reload) {
                await reloadConfiguration(&runtime, reconciler: reconciler, source: source)
                trigger = "reload"
            } else {
                trigger =
                    reasons.contains(.control)
                    ? "reconcile"
                    : reasons.contains(.leadership) ? "leader" : reasons.contains(.webhook) ? "webhook" : timerTrigger
            }
        }
        control?.requests.failAll(closing: true)
        writer.sync()
    }

    /// SIGHUP: the configuration read again and put in force, or kept (every problem logged).
    private func reloadConfiguration(_ runtime: inout Runtime, reconciler: Reconciler, source: GitSource) async {
        notifier.reloading()
        if let reloaded = reload(current: runtime) {
            runtime = reloaded
            await reconciler.update(settings: Self.settings(reloaded))
            await source.reconfigure(reloaded.configuration.gitSource)
            health.update(
                interval: reloaded.configuration.source.interval,
                cycleLimit: Self.cycleLimit(reloaded.configuration)
            )
            metrics.configured(interval: reloaded.configuration.source.interval)
        }
        notifier.ready(status: "reloaded; \(health.snapshot.lastSummary ?? "")")
    }

    /// A standby's step: git fetched, nothing observed; the summary names the leader.
    private func standBy(source: GitSource) async -> String {
        health.cycleStarted()
        let polled = ContinuousClock.now
        let poll = await cancelWhenGracefulShutdown { await source.poll() }
        var failed = false
        if case .failed = poll { failed = true }
        metrics.gitPolled(duration: ContinuousClock.now - polled, failed: failed)
        let election = elector?.snapshot
        let summary =
            election?.isLeader == true
            ? "leader, but the lease was not renewed in time: changes are held back"
            : "standby, leader \(election?.leader ?? "unknown")"
        health.cycleFinished(summary: summary, statusLogProblem: writer.lastError)
        return summary
    }

    static func settings(_ runtime: Runtime) -> Reconciler.Settings {
        var settings = runtime.reconcilerSettings
        settings.orphanSweepInterval = orphanSweep
        return settings
    }

    /// The one-line `STATUS=` text and /readyz body: revision and counts.
    static func summary(_ report: CycleReport) -> String {
        let counts = StatusRecord.outcomes.compactMap { outcome -> String? in
            guard let count = report.counts[outcome], count > 0 else { return nil }
            return "\(count) \(outcome)"
        }
        var text =
            "cycle \(report.cycle) at \(report.revision.map { String($0.prefix(12)) } ?? "no revision"): "
            + (counts.isEmpty ? "no tables" : counts.joined(separator: ", "))
        if let error = report.sourceError { text += "; source: \(error.message)" }
        if let rejection = report.sourceRejection { text += "; head revision refused (\(rejection.outcome))" }
        return text
    }

    /// The configuration file read again, or nil (with every problem logged) when it is refused.
    func reload(current: Runtime) -> Runtime? {
        let logger = current.logger
        switch ConfigurationDecoder.load(path: configPath) {
        case .failure(let errors):
            for error in errors.errors {
                logger.error(
                    "configuration refused; the previous one stays in force",
                    metadata: ["problem": "\(error)"]
                )
            }
            return nil
        case .success(var loaded):
            // Settings that need a restart stay as they run, so the next reload compares with what is in force.
            let old = current.configuration
            var later: [String] = []
            func keepRunning<Value: Equatable>(_ name: String, _ path: WritableKeyPath<TablekeeperConfiguration, Value>)
            {
                if loaded[keyPath: path] != old[keyPath: path] { later.append(name) }
                loaded[keyPath: path] = old[keyPath: path]
            }
            keepRunning("statusLog", \.statusLog)
            keepRunning("http.listen", \.http.listen)
            keepRunning("notify", \.notify)
            keepRunning("source.commitStatus", \.commitStatus)
            keepRunning("control.socket", \.controlSocket)
            let reloaded: Runtime
            let secret: [UInt8]?
            do {
                reloaded = try Runtime.build(
                    configuration: loaded,
                    logger: logger,
                    observer: current.controls.observer,
                    fence: current.controls.fence
                )
                secret = try WebhookSecret.read(loaded.http.webhookSecretFile).get()
            } catch {
                logger.error(
                    "configuration refused; the previous one stays in force",
                    metadata: ["problem": "\(error)"]
                )
                return nil
            }
            if reloaded.region != current.region || loaded.aws.endpoint != old.aws.endpoint {
                // Region-less manifests would move to the new region and their tables in the old one would be
                // reported orphaned: the whole reload is refused, not half applied.
                logger.error(
                    "configuration refused; the previous one stays in force",
                    metadata: [
                        "problem": """
                        aws.region or aws.endpoint changed (region \(current.region) -> \(reloaded.region)): \
                        restart the daemon to move to it (systemctl restart tablekeeper); a reload would move \
                        manifests without a region to the new one and leave their tables behind
                        """
                    ]
                )
                return nil
            }
            if loaded.leader != old.leader {
                logger.error(
                    "configuration refused; the previous one stays in force",
                    metadata: [
                        "problem": """
                        leader changed: restart the daemon to join, leave or change the election \
                        (systemctl restart tablekeeper), so no two daemons ever lead under different settings
                        """
                    ]
                )
                return nil
            }
            if !later.isEmpty {
                let takes = later.count == 1 ? "it takes" : "they take"
                logger.warning(
                    "\(later.joined(separator: ", ")) changed: \(takes) effect after a restart (systemctl restart tablekeeper); the rest of the configuration is in force"
                )
            }
            routes.update(webhookSecret: secret)
            logger.info("configuration reloaded", metadata: ["config": "\(configPath)"])
            return reloaded
        }
    }
}
