public import GitSource
public import Manifest

/// The configuration file, decoded and checked, with defaults applied.
public struct TablekeeperConfiguration: Sendable, Equatable {
    /// The git source.
    public struct Source: Sendable, Equatable {
        /// Remote URL.
        public var url: String
        /// Tracked branch.
        public var branch = "main"
        /// Manifests folder in the repository.
        public var path = "manifests"
        /// Poll interval.
        public var interval: Duration = .seconds(30)
        /// Deadline of one fetch-and-read.
        public var deadline: Duration = .seconds(60)
        /// Folder of the bare mirror.
        public var cacheDirectory = "/var/lib/tablekeeper/repo"
        /// Credentials.
        public var auth = GitAuth()
        /// allowed_signers file for signed commits.
        public var allowedSignersFile: String?
        /// Whether `file://`, plain `http://` and local paths are accepted (the demo and tests).
        public var allowLocal = false
        /// What one revision may hold, and the largest fetch.
        public var limits = SourceLimits()
    }

    /// AWS settings.
    public struct AWS: Sendable, Equatable {
        /// Region; wins over the AWS variables and profile.
        public var region: String?
        /// Endpoint for DynamoDB and KMS (a local emulator); wins over the AWS variables.
        public var endpoint: String?
        /// Most AWS requests in flight.
        public var maxConcurrency = 16
        /// Most AWS requests a second, per region (a token bucket shared by every call).
        public var maxRequestsPerSecond = 50
        /// How long TTL, point-in-time recovery and tags may go unread for a table nothing else points at.
        public var driftSweepInterval: Duration = .seconds(600)
        /// How long a KMS DescribeKey answer is reused.
        public var keyCacheTtl: Duration = .seconds(600)
    }

    /// Status log settings.
    public struct StatusLog: Sendable, Equatable {
        /// The JSON Lines file.
        public var path = TablekeeperConfiguration.defaultStatusLogPath
        /// Size at which the file is rotated.
        public var maxBytes: Int64 = 64 << 20
        /// Rotated files kept.
        public var keep = 5
    }

    /// HTTP endpoint settings.
    public struct HTTP: Sendable, Equatable {
        /// Host and port to listen on.
        public var listen = "127.0.0.1:9464"
        /// File holding the webhook HMAC secret; no webhook when nil.
        public var webhookSecretFile: String?
        /// Whether `listen` may be an address other than loopback.
        public var allowRemote = false
    }

    /// Leader election among several daemons sharing this configuration.
    public struct Leader: Sendable, Equatable {
        /// The lease table (partition key `name`, S), made if missing and never deleted.
        public var table = "tablekeeper-leader"
        /// Its region; nil for `aws.region`.
        public var region: String?
        /// The lease item's name, so several configurations can share one table.
        public var name = "default"
        /// How long a record version must stay unchanged before a standby takes the lease over.
        public var leaseDuration: Duration = .seconds(20)
        /// How often the leader renews, and a standby looks.
        public var renewEvery: Duration = .seconds(5)

        /// The defaults.
        public init() {}
    }

    /// The git source.
    public var source: Source
    /// AWS settings.
    public var aws = AWS()
    /// The reconcile policy.
    public var policy = ReconcilePolicy()
    /// What a push may reach.
    public var scope = ReconcileScope()
    /// Manifest defaults (region comes from `aws.region`).
    public var defaultEncryption = EncryptionSpec.kms
    /// Status log settings.
    public var statusLog = StatusLog()
    /// HTTP settings.
    public var http = HTTP()
    /// Leader election; nil for a single daemon.
    public var leader: Leader?
    /// Who is told about outcomes that change.
    public var notify: [NotifyReceiver] = []
    /// Commit statuses at the git host (`source.commitStatus`).
    public var commitStatus: CommitStatusSettings?
    /// The control socket's path (`control.socket`); nil for the default.
    public var controlSocket: String?

    /// The control socket: `control.socket`, else `control.sock` in systemd's `RUNTIME_DIRECTORY`, else
    /// `/run/tablekeeper/control.sock` (the unit's `RuntimeDirectory=tablekeeper`).
    public func controlSocketPath(environment: [String: String]) -> String {
        if let controlSocket { return controlSocket }
        if let runtime = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first {
            return "\(runtime)/control.sock"
        }
        return "/run/tablekeeper/control.sock"
    }

    /// Creates a configuration with defaults for everything but the source URL.
    public init(source: Source) {
        self.source = source
    }

    /// Where the status log is when no configuration says.
    public static let defaultStatusLogPath = "/var/log/tablekeeper/status.jsonl"

    /// The manifest defaults this configuration implies.
    public var manifestDefaults: ManifestDefaults {
        ManifestDefaults(region: aws.region, encryption: defaultEncryption)
    }

    /// The git source settings.
    public var gitSource: GitSourceConfiguration {
        GitSourceConfiguration(
            url: source.url,
            branch: source.branch,
            path: source.path,
            cacheDirectory: source.cacheDirectory,
            auth: source.auth,
            allowedSignersFile: source.allowedSignersFile,
            deadline: source.deadline,
            limits: source.limits
        )
    }
}

extension TablekeeperConfiguration.Source {
    /// A source with defaults and the given URL.
    public init(url: String) {
        self.url = url
    }
}
