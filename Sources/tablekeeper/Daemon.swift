import DaemonCore
import FoundationEssentials
import Glibc
import Leadership
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import StatusLog
import SystemSupport
import TablekeeperConfig
import UnixSignals

/// The long-running service: the reconcile loop, the HTTP endpoint and the systemd watchdog under one
/// swift-service-lifecycle group. SIGTERM and SIGINT shut it down gracefully (the step in flight finishes,
/// the log is written, exit 0); SIGHUP reloads the configuration.
struct Daemon {
    let configPath: String
    let logger: Logger

    /// Shutdown escalates to cancellation after this long, so the process always exits within 10 s.
    static let maximumShutdown: Duration = .seconds(8)

    func run() async throws {
        // A parent may have blocked these signals (the mask is inherited); the group and the loop trap them.
        Signals.unblock([SIGTERM, SIGINT, SIGHUP])
        // Until the loop traps it, a reload request (SIGHUP) must not end the process.
        signal(SIGHUP, SIG_IGN)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(DaemonMetrics.factory(registry: registry))
        var runtime = try Runtime.load(
            configPath: configPath,
            logger: logger,
            observer: AWSRequestMetrics(registry: registry)
        )
        // With an election, every state-changing call asks the lease's fence first.
        let fence = runtime.configuration.leader.map { LeaseFence(leaseDuration: $0.leaseDuration) }
        if fence != nil {
            runtime = try Runtime.make(
                configuration: runtime.configuration,
                logger: logger,
                observer: runtime.controls.observer,
                fence: fence
            )
        }
        try runtime.claimFiles(writingLog: true)
        let configuration = runtime.configuration
        let secret: [UInt8]?
        switch WebhookSecret.read(configuration.http.webhookSecretFile) {
        case .success(let read): secret = read
        case .failure(let problem):
            printError("tablekeeper: \(problem)")
            throw ExitCodeError.fatal
        }
        let health = DaemonHealth(
            interval: configuration.source.interval,
            cycleLimit: ReconcileLoop.cycleLimit(configuration)
        )
        let wakeups = Wakeups()
        let metrics = DaemonMetrics(registry: registry)
        metrics.configured(interval: configuration.source.interval)
        let notifications: NotificationCenter?
        switch NotificationCenter.receivers(configuration.notify) {
        case .success(let receivers) where receivers.isEmpty: notifications = nil
        case .success(let receivers):
            notifications = NotificationCenter(
                receivers: receivers,
                http: OutboundHTTP.client,
                logger: logger,
                dropped: { metrics.notificationLost() }
            )
        case .failure(let problem):
            printError("tablekeeper: \(problem)")
            throw ExitCodeError.fatal
        }
        await notifications?.seed(
            StatusLogReader.read(path: configuration.statusLog.path, latestCycleOnly: true).records
        )
        await notifications?.start()
        var commitStatus: CommitStatusReporter?
        if let settings = configuration.commitStatus {
            switch CommitStatusReporter.token(settings) {
            case .success(let token):
                commitStatus = CommitStatusReporter(
                    settings: settings,
                    token: token,
                    http: OutboundHTTP.client,
                    logger: logger
                )
            case .failure(let problem):
                printError("tablekeeper: \(problem)")
                throw ExitCodeError.fatal
            }
        }
        await commitStatus?.start()
        let notifier = SystemdNotifier(onDrop: { count in
            metrics.notificationDropped()
            if count == 1 || count % 100 == 0 {
                logger.warning(
                    "systemd notification dropped: the notify socket's queue is full",
                    metadata: ["dropped": "\(count)"]
                )
            }
        })
        let routes = DaemonRoutes(health: health, registry: registry, wakeups: wakeups, webhookSecret: secret)
        let writer = runtime.makeStatusLogWriter()
        let elector = configuration.leader.map { leader in
            makeElector(
                leader,
                runtime: runtime,
                fence: fence!,
                writer: writer,
                metrics: metrics,
                wakeups: wakeups,
                notifications: notifications
            )
        }
        let endpoint = try await bindEndpoint(configuration.http.listen, routes: routes)
        let requests = ControlRequests()
        let suspensions = SuspensionStore(path: configuration.source.cacheDirectory + ".suspended.json")
        let control = await bindControl(
            configuration.controlSocketPath(environment: ProcessInfo.processInfo.environment),
            handler: ControlHandler(
                requests: requests,
                suspensions: suspensions,
                wakeups: wakeups,
                standby: {
                    guard let elector, !elector.fence.isLeading else { return nil }
                    return "this daemon stands by (leader: \(elector.snapshot.leader ?? "none yet")): run it on the "
                        + "leader's host"
                },
                logger: logger
            )
        )
        let loop = ReconcileLoop(
            runtime: runtime,
            configPath: configPath,
            health: health,
            wakeups: wakeups,
            notifier: notifier,
            routes: routes,
            metrics: metrics,
            elector: elector,
            writer: writer,
            notifications: notifications,
            commitStatus: commitStatus,
            control: (requests, suspensions)
        )
        // Shut down in reverse order: the loop finishes its step before the lease is let go.
        let leaderServices = elector.map {
            [ServiceGroupConfiguration.ServiceConfiguration(service: LeaderService(elector: $0))]
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: WatchdogService(notifier: notifier, health: health, logger: logger)),
                .init(service: endpoint),
            ] + (control.map { [.init(service: $0)] } ?? []) + (leaderServices ?? []) + [.init(service: loop)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = Self.maximumShutdown
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.info("tablekeeper stopped")
    }

    /// The control socket; a daemon that cannot listen on it still runs (said once, with the reason).
    func bindControl(_ path: String, handler: ControlHandler) async -> ControlSocket? {
        do throws(ControlSocket.Problem) {
            return try await ControlSocket.bind(path: path, logger: logger) { line in await handler.handle(line) }
        } catch {
            logger.warning(
                "no control socket: tablekeeper reconcile, suspend and resume cannot reach this daemon",
                metadata: ["problem": "\(error.description)"]
            )
            return nil
        }
    }

    /// The election, its events written to the status log, the metrics and the logs, and handed to the loop.
    func makeElector(
        _ leader: TablekeeperConfiguration.Leader,
        runtime: Runtime,
        fence: LeaseFence,
        writer: StatusLogWriter,
        metrics: DaemonMetrics,
        wakeups: Wakeups,
        notifications: NotificationCenter?
    ) -> LeaderElector {
        let identity = Runtime.leaderIdentity()
        let logger = self.logger
        metrics.leadership(identity: identity, isLeader: false, changed: false)
        return runtime.makeElector(leader, identity: identity, fence: fence) { event, snapshot in
            let record = LeaderRecords.record(event, snapshot)
            writer.append([record])
            writer.sync()
            var changed = true
            if case .standby = event { changed = false }
            metrics.leadership(identity: identity, isLeader: snapshot.isLeader, changed: changed)
            if changed, let notifications {
                Task { await notifications.leaderChanged(identity: identity, isLeader: snapshot.isLeader) }
            }
            logger.notice(
                "leader election: \(record.event ?? "")",
                metadata: [
                    "identity": "\(identity)", "leader": "\(snapshot.leader ?? "-")", "fence": "\(snapshot.fence)",
                ]
            )
            wakeups.post(.leadership)
        }
    }

    func bindEndpoint(_ listen: String, routes: DaemonRoutes) async throws -> HTTPEndpoint {
        guard let (host, port) = HostPort.parse(listen) else {
            printError("tablekeeper: http.listen \(listen) is not host:port (for example 127.0.0.1:9464)")
            throw ExitCodeError.fatal
        }
        do {
            return try await HTTPEndpoint.bind(host: host, port: port, routes: routes, logger: logger)
        } catch {
            printError("tablekeeper: cannot listen on \(listen): \(error) (set http.listen to a free address)")
            throw ExitCodeError.fatal
        }
    }
}

/// The webhook secret file's bytes (surrounding whitespace and newlines trimmed).
enum WebhookSecret {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ path: String?) -> Result<[UInt8]?, Problem> {
        guard let path else { return .success(nil) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(
                Problem(description: "cannot read http.webhookSecretFile \(path) (check the path and its permissions)")
            )
        }
        let text = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        guard text.utf8.count >= 16 else {
            return .failure(
                Problem(
                    description: "http.webhookSecretFile \(path) holds fewer than 16 bytes (use a long random secret)"
                )
            )
        }
        return .success(Array(text.utf8))
    }
}

/// Signal mask helpers.
enum Signals {
    /// Unblocks signals for this thread and the threads it starts.
    static func unblock(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
