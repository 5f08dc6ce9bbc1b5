import AWSCore
import AsyncHTTPClient
import DynamoDBControl
import FoundationEssentials
import GitSource
import Logging
import Manifest
import NIOCore
import NIOPosix
import Reconcile
import StatusLog
import Synchronization
import TablekeeperConfig

/// Builds the parts a command needs from the configuration and the AWS environment.
struct Runtime {
    let configuration: TablekeeperConfiguration
    let region: String
    let endpoint: URL?
    let environment: AWSEnvironment
    let logger: Logger
    let controls: ControlCache

    /// Loads and checks a configuration file; prints every problem and exits 1 when it is bad.
    static func load(
        configPath: String,
        logger: Logger,
        observer: (any AWSRequestObserver)? = nil,
        fence: (any MutationFence)? = nil
    ) throws -> Runtime {
        switch ConfigurationDecoder.load(path: configPath) {
        case .failure(let errors):
            for error in errors.errors { printError(error.description) }
            throw ExitCodeError.fatal
        case .success(let configuration):
            return try make(configuration: configuration, logger: logger, observer: observer, fence: fence)
        }
    }

    /// Why a configuration cannot run.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// `build`, for commands: a problem is printed and the command exits 1.
    static func make(
        configuration: TablekeeperConfiguration,
        logger: Logger,
        observer: (any AWSRequestObserver)? = nil,
        fence: (any MutationFence)? = nil
    ) throws -> Runtime {
        do {
            return try build(configuration: configuration, logger: logger, observer: observer, fence: fence)
        } catch {
            printError("tablekeeper: \(error)")
            throw ExitCodeError.fatal
        }
    }

    /// The region, endpoints and AWS clients for a configuration.
    static func build(
        configuration: TablekeeperConfiguration,
        logger: Logger,
        observer: (any AWSRequestObserver)? = nil,
        fence: (any MutationFence)? = nil
    ) throws(Problem) -> Runtime {
        var configuration = configuration
        let environment = AWSEnvironment.process
        let secrets = configuration.secretFileProblems(environment: ProcessInfo.processInfo.environment)
        if !secrets.isEmpty {
            throw Problem(description: secrets.joined(separator: "\ntablekeeper: "))
        }
        // The config file's region and endpoint win over the AWS variables and profile.
        guard let region = configuration.aws.region ?? environment.region() else {
            throw Problem(description: "no AWS region: set aws.region in the config, or AWS_REGION")
        }
        configuration.aws.region = region
        let endpointText = configuration.aws.endpoint ?? environment.endpoint(service: "dynamodb")
        let endpoint = endpointText.flatMap(URL.init(string:))
        let kmsEndpoint = (configuration.aws.endpoint ?? environment.endpoint(service: "kms")).flatMap(
            URL.init(string:)
        )
        let taggingEndpoint =
            (configuration.aws.endpoint
            ?? environment.endpoint(service: "resource_groups_tagging_api")).flatMap(URL.init(string:))
        let controls = ControlCache(
            environment: environment,
            dynamoDBEndpoint: endpoint,
            kmsEndpoint: kmsEndpoint,
            taggingEndpoint: taggingEndpoint,
            autoScalingEndpoint: (configuration.aws.endpoint
                ?? environment.endpoint(service: "application_auto_scaling")).flatMap(URL.init(string:)),
            logger: logger,
            observer: observer,
            limiter: RateLimiter(maxRequestsPerSecond: Double(configuration.aws.maxRequestsPerSecond)),
            fence: fence
        )
        return Runtime(
            configuration: configuration,
            region: region,
            endpoint: endpoint,
            environment: environment,
            logger: logger,
            controls: controls
        )
    }

    var reconcilerSettings: Reconciler.Settings {
        var settings = Reconciler.Settings(
            policy: configuration.policy,
            defaults: configuration.manifestDefaults,
            maxConcurrency: configuration.aws.maxConcurrency,
            extraRegions: configuration.scope.regions.map { $0.contains(region) ? [region] : [] } ?? [region],
            scope: configuration.scope
        )
        settings.driftSweepInterval = configuration.aws.driftSweepInterval
        settings.keyCacheTtl = configuration.aws.keyCacheTtl
        return settings
    }

    /// The status log's writer.
    func makeStatusLogWriter() -> StatusLogWriter {
        let log = configuration.statusLog
        return StatusLogWriter(path: log.path, maxBytes: log.maxBytes, keep: log.keep)
    }

    /// A reconciler that records through `writer` (a new one when nil), with its state rebuilt from the log.
    func makeRecordingReconciler(
        settings: Reconciler.Settings,
        writer: StatusLogWriter? = nil
    ) -> (Reconciler, StatusLogWriter) {
        let log = configuration.statusLog
        let writer = writer ?? makeStatusLogWriter()
        let reconciler = Reconciler(
            settings: settings,
            controls: controls.factory,
            statusLog: writer,
            history: StatusLogReader.read(path: log.path, latestCycleOnly: true).records,
            tally: controls.tally,
            logger: logger
        )
        return (reconciler, writer)
    }

    func makeGitSource() -> GitSource {
        GitSource(configuration: configuration.gitSource, workerExecutable: Self.executablePath, logger: logger)
    }

    /// This binary, which also serves as the git worker.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// One `TableControl` per region over one shared connection pool, retry bucket and credential chain.
final class ControlCache: Sendable {
    let environment: AWSEnvironment
    let dynamoDBEndpoint: URL?
    let kmsEndpoint: URL?
    let taggingEndpoint: URL?
    let autoScalingEndpoint: URL?
    let logger: Logger
    /// Counts every request (per cycle) and passes it on to the metrics.
    let tally: RequestTally
    /// The metrics' observer (kept for a runtime built again at a reload).
    let observer: (any AWSRequestObserver)?
    let limiter: RateLimiter
    /// With leader election: what every state-changing call asks first.
    let fence: (any MutationFence)?
    let credentials: CredentialChain
    let retry = RetryStrategy()
    var http: HTTPClient { Self.sharedHTTP }

    /// One connection pool for the whole process, every region and service, on one event loop: control-plane
    /// traffic is light, and a single loop thread saves the cross-thread wake-ups that dominate its CPU cost.
    /// A `static let` lives as long as the process, so it never needs (or misses) a shutdown.
    static let sharedHTTP = HTTPClient(
        eventLoopGroup: MultiThreadedEventLoopGroup(numberOfThreads: 1),
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
    )
    private let byRegion = Mutex<[String: AWSTableControl]>([:])

    init(
        environment: AWSEnvironment,
        dynamoDBEndpoint: URL?,
        kmsEndpoint: URL?,
        taggingEndpoint: URL?,
        autoScalingEndpoint: URL?,
        logger: Logger,
        observer: (any AWSRequestObserver)?,
        limiter: RateLimiter,
        fence: (any MutationFence)?
    ) {
        self.environment = environment
        self.fence = fence
        self.observer = observer
        self.tally = RequestTally(next: observer)
        self.limiter = limiter
        self.dynamoDBEndpoint = dynamoDBEndpoint
        self.kmsEndpoint = kmsEndpoint
        self.taggingEndpoint = taggingEndpoint
        self.autoScalingEndpoint = autoScalingEndpoint
        self.logger = logger
        self.credentials = CredentialChain.standard(environment: environment, http: Self.sharedHTTP)
    }

    func control(region: String) -> AWSTableControl {
        byRegion.withLock { cache in
            if let control = cache[region] { return control }
            func client(_ service: AWSService, _ endpoint: URL?) -> AWSJSONClient {
                AWSJSONClient(
                    service: service,
                    region: region,
                    endpoint: endpoint ?? URL(string: service.defaultEndpoint(region: region))!,
                    credentials: credentials,
                    retry: retry,
                    http: http,
                    logger: logger,
                    observer: tally,
                    limiter: limiter,
                    fence: fence
                )
            }
            let control = AWSTableControl(
                dynamoDB: DynamoDBClient(client: client(.dynamoDB, dynamoDBEndpoint)),
                kms: KMSClient(client: client(.kms, kmsEndpoint)),
                tagging: TaggingClient(client: client(.tagging, taggingEndpoint)),
                autoScaling: AutoScalingClient(client: client(.autoScaling, autoScalingEndpoint))
            )
            cache[region] = control
            return control
        }
    }

    var factory: @Sendable (String) -> any TableControl {
        { [self] region in control(region: region) }
    }
}

/// A fatal error whose problems were already printed: the command exits 1.
enum ExitCodeError: Error {
    case fatal
}
