import FoundationEssentials
import GitSource
public import Manifest

/// Reads the configuration file and reports every problem at once.
public enum ConfigurationDecoder {
    /// Reads and decodes a file; errors name the file and JSON path like manifest errors.
    public static func load(path: String) -> Result<TablekeeperConfiguration, ManifestErrors> {
        guard let data = FileManager.default.contents(atPath: path) else {
            let problem = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            return .failure(
                ManifestErrors([
                    ManifestError(file: path, path: "$", problem: problem, fix: "pass --config with the right path")
                ])
            )
        }
        return decode([UInt8](data), file: path)
    }

    /// Decodes configuration bytes.
    public static func decode(_ bytes: [UInt8], file: String) -> Result<TablekeeperConfiguration, ManifestErrors> {
        var diagnostics = Diagnostics()
        let configuration = decode(bytes, diagnostics: &diagnostics)
        if let configuration, diagnostics.problems.isEmpty { return .success(configuration) }
        return .failure(ManifestErrors(diagnostics.errors(file: file)))
    }

    private static func decode(_ bytes: [UInt8], diagnostics: inout Diagnostics) -> TablekeeperConfiguration? {
        guard let document = diagnostics.parse(bytes) else { return nil }
        guard var root = JSONReader(document, path: "$", what: "the configuration", diagnostics: &diagnostics) else {
            return nil
        }
        root.nullMeansAbsent = true
        root.checkKeys(
            allowed: [
                "source", "aws", "policy", "defaults", "statusLog", "http", "scope", "leader", "notify", "control",
            ],
            diagnostics: &diagnostics
        )
        // Every section is checked even when an earlier one is bad, so all problems are listed at once.
        let sourceReader = root.object("source", what: "the git source", diagnostics: &diagnostics)
        if sourceReader == nil, !root.has("source") {
            diagnostics.add("$.source", "is required", fix: "add \"source\": {\"url\": \"...\"}")
        }
        let source = sourceReader.flatMap { decodeSource($0, diagnostics: &diagnostics) }
        var configuration = TablekeeperConfiguration(source: source ?? .init(url: ""))
        if let reader = root.object("aws", what: "the AWS settings", diagnostics: &diagnostics) {
            decodeAWS(reader, into: &configuration.aws, diagnostics: &diagnostics)
        }
        if let reader = root.object("policy", what: "the policy", diagnostics: &diagnostics) {
            reader.checkKeys(allowed: ["encryption", "updates", "destructive"], diagnostics: &diagnostics)
            let mode = ReconcilePolicy.Mode.self
            configuration.policy = ReconcilePolicy(
                encryption: reader.enumeration("encryption", mode, diagnostics: &diagnostics) ?? .flag,
                updates: reader.enumeration("updates", mode, diagnostics: &diagnostics) ?? .apply,
                destructive: reader.enumeration("destructive", mode, diagnostics: &diagnostics) ?? .flag
            )
        }
        if let reader = root.object("control", what: "the control socket settings", diagnostics: &diagnostics) {
            reader.checkKeys(allowed: ["socket"], diagnostics: &diagnostics)
            if let path = nonEmptyPath(reader, "socket", diagnostics: &diagnostics) {
                if !path.hasPrefix("/") || path.utf8.count > 100 {
                    diagnostics.add(
                        "$.control.socket",
                        "must be an absolute path of at most 100 bytes (a Unix socket's limit)",
                        fix: "use e.g. /run/tablekeeper/control.sock"
                    )
                } else {
                    configuration.controlSocket = path
                }
            }
        }
        if let list = root.array("notify", diagnostics: &diagnostics) {
            configuration.notify = decodeNotify(list, diagnostics: &diagnostics)
        }
        if let reader = root.object("leader", what: "the leader election", diagnostics: &diagnostics) {
            configuration.leader = decodeLeader(reader, diagnostics: &diagnostics)
        }
        if let reader = root.object("scope", what: "what a push may reach", diagnostics: &diagnostics) {
            configuration.scope = decodeScope(reader, diagnostics: &diagnostics)
        }
        if let reader = root.object("defaults", what: "the manifest defaults", diagnostics: &diagnostics) {
            reader.checkKeys(allowed: ["encryption"], diagnostics: &diagnostics)
            if let encryption = reader.object("encryption", what: "{\"type\": \"KMS\"}", diagnostics: &diagnostics),
                let spec = ManifestDecoder.decodeEncryptionObject(
                    encryption,
                    tableRegion: nil,
                    diagnostics: &diagnostics
                )
            {
                configuration.defaultEncryption = spec
            }
        }
        if let reader = root.object("statusLog", what: "the status log settings", diagnostics: &diagnostics) {
            reader.checkKeys(allowed: ["path", "maxBytes", "keep"], diagnostics: &diagnostics)
            configuration.statusLog.path =
                nonEmptyPath(reader, "path", diagnostics: &diagnostics) ?? configuration.statusLog.path
            configuration.statusLog.maxBytes =
                reader.integer("maxBytes", in: 1 << 16...1 << 40, diagnostics: &diagnostics)
                ?? configuration.statusLog.maxBytes
            configuration.statusLog.keep = Int(reader.integer("keep", in: 1...100, diagnostics: &diagnostics) ?? 5)
        }
        if let reader = root.object("http", what: "the HTTP settings", diagnostics: &diagnostics) {
            reader.checkKeys(allowed: ["listen", "webhookSecretFile", "allowRemote"], diagnostics: &diagnostics)
            configuration.http.allowRemote = reader.bool("allowRemote", diagnostics: &diagnostics) ?? false
            if let listen = reader.string("listen", diagnostics: &diagnostics) {
                if let parsed = HostPort.parse(listen), !HostPort.isLoopback(parsed.host),
                    !configuration.http.allowRemote
                {
                    diagnostics.add(
                        "$.http.listen",
                        "\(quoted(listen)) is not a loopback address; /metrics and the webhook would be reachable "
                            + "from the network",
                        fix: "listen on 127.0.0.1, or set http.allowRemote to true and restrict access with a firewall"
                    )
                } else if HostPort.parse(listen) == nil {
                    diagnostics.add(
                        "$.http.listen",
                        "\(quoted(listen)) is not HOST:PORT",
                        fix: "use e.g. 127.0.0.1:9464"
                    )
                } else {
                    configuration.http.listen = listen
                }
            }
            configuration.http.webhookSecretFile = nonEmptyPath(reader, "webhookSecretFile", diagnostics: &diagnostics)
        }
        if let sourceReader = root.object("source", what: "the git source", diagnostics: &diagnostics),
            let reader = sourceReader.object(
                "commitStatus",
                what: "the commit status settings",
                diagnostics: &diagnostics
            )
        {
            configuration.commitStatus = decodeCommitStatus(reader, diagnostics: &diagnostics)
        }
        return source == nil ? nil : configuration
    }

    static func nonEmptyPath(_ reader: JSONReader, _ key: String, diagnostics: inout Diagnostics) -> String? {
        guard let text = reader.string(key, diagnostics: &diagnostics) else { return nil }
        if text.isEmpty {
            diagnostics.add(reader.childPath(key), "is empty", fix: "give a path or remove the key")
            return nil
        }
        return text
    }

    static func duration(
        _ reader: JSONReader,
        _ key: String,
        minimum: Duration,
        diagnostics: inout Diagnostics
    ) -> Duration? {
        guard let text = reader.string(key, diagnostics: &diagnostics) else { return nil }
        guard let value = DurationText.parse(text), value >= minimum else {
            diagnostics.add(
                reader.childPath(key),
                "\(quoted(text)) is not a duration of at least \(DurationText.format(minimum))",
                fix: "use a whole number with a unit: 30s, 5m, 1h"
            )
            return nil
        }
        return value
    }

    static func decodeSource(_ reader: JSONReader, diagnostics: inout Diagnostics) -> TablekeeperConfiguration.Source? {
        reader.checkKeys(
            allowed: [
                "url", "branch", "path", "interval", "deadline", "cacheDirectory", "auth", "verify", "allowLocal",
                "maxFiles", "maxBytes", "maxFetchBytes", "commitStatus",
            ],
            diagnostics: &diagnostics
        )
        let url = reader.string("url", diagnostics: &diagnostics)
        if !reader.has("url") {
            diagnostics.add(
                "$.source.url",
                "is required",
                fix: "give the git remote, e.g. ssh://git@host/ops/tables.git"
            )
        } else if url?.isEmpty == true {
            diagnostics.add("$.source.url", "is empty", fix: "give the git remote, e.g. ssh://git@host/ops/tables.git")
        }
        var source = TablekeeperConfiguration.Source(url: url ?? "")
        source.allowLocal = reader.bool("allowLocal", diagnostics: &diagnostics) ?? false
        if let url, !url.isEmpty, let problem = SourceURLRule.problem(url, allowLocal: source.allowLocal) {
            diagnostics.add("$.source.url", problem.problem, fix: problem.fix)
        }
        if let files = reader.integer("maxFiles", in: 1...1_000_000, diagnostics: &diagnostics) {
            source.limits.maxFiles = Int(files)
        }
        if let bytes = reader.integer("maxBytes", in: 1 << 10...1 << 32, diagnostics: &diagnostics) {
            source.limits.maxBytes = Int(bytes)
        }
        if let bytes = reader.integer("maxFetchBytes", in: 1 << 20...1 << 40, diagnostics: &diagnostics) {
            source.limits.maxFetchBytes = Int(bytes)
        }
        source.branch = reader.string("branch", diagnostics: &diagnostics) ?? source.branch
        source.path = reader.string("path", diagnostics: &diagnostics) ?? source.path
        source.interval =
            duration(reader, "interval", minimum: .seconds(1), diagnostics: &diagnostics) ?? source.interval
        source.deadline =
            duration(reader, "deadline", minimum: .seconds(1), diagnostics: &diagnostics) ?? source.deadline
        source.cacheDirectory =
            nonEmptyPath(reader, "cacheDirectory", diagnostics: &diagnostics) ?? source.cacheDirectory
        if let auth = reader.object("auth", what: "the git credentials", diagnostics: &diagnostics) {
            auth.checkKeys(
                allowed: [
                    "sshKeyFile", "sshKnownHostsFile", "sshHostKeyFingerprint", "tokenFile", "passwordFile", "username",
                ],
                diagnostics: &diagnostics
            )
            source.auth = GitAuthReader.decode(auth, diagnostics: &diagnostics)
        }
        if let verify = reader.object("verify", what: "the signature settings", diagnostics: &diagnostics) {
            verify.checkKeys(allowed: ["allowedSignersFile"], diagnostics: &diagnostics)
            source.allowedSignersFile = nonEmptyPath(verify, "allowedSignersFile", diagnostics: &diagnostics)
        }
        return url?.isEmpty == false ? source : nil
    }

    static func decodeAWS(
        _ reader: JSONReader,
        into aws: inout TablekeeperConfiguration.AWS,
        diagnostics: inout Diagnostics
    ) {
        reader.checkKeys(
            allowed: [
                "region", "endpoint", "maxConcurrency", "maxRequestsPerSecond", "driftSweepInterval", "keyCacheTtl",
            ],
            diagnostics: &diagnostics
        )
        aws.maxRequestsPerSecond = Int(
            reader.integer("maxRequestsPerSecond", in: 1...10_000, diagnostics: &diagnostics) ?? 50
        )
        aws.driftSweepInterval =
            duration(reader, "driftSweepInterval", minimum: .seconds(10), diagnostics: &diagnostics)
            ?? aws.driftSweepInterval
        aws.keyCacheTtl =
            duration(reader, "keyCacheTtl", minimum: .seconds(1), diagnostics: &diagnostics) ?? aws.keyCacheTtl
        if let region = reader.string("region", diagnostics: &diagnostics) {
            if ManifestRules.isValidRegion(region) {
                aws.region = region
            } else {
                diagnostics.add(
                    "$.aws.region",
                    "\(quoted(region)) is not an AWS region name",
                    fix: "use a name like us-east-1"
                )
            }
        }
        if let endpoint = reader.string("endpoint", diagnostics: &diagnostics) {
            if let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil {
                aws.endpoint = endpoint
            } else {
                diagnostics.add(
                    "$.aws.endpoint",
                    "\(quoted(endpoint)) is not an http(s) URL",
                    fix: "use e.g. http://127.0.0.1:5055"
                )
            }
        }
        aws.maxConcurrency = Int(reader.integer("maxConcurrency", in: 1...256, diagnostics: &diagnostics) ?? 16)
    }
}

/// `host:port`, with IPv6 hosts in brackets.
public enum HostPort {
    /// Whether a host is the loopback interface (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Splits `host:port`; nil when malformed.
    public static func parse(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}

enum GitAuthReader {
    static func decode(_ reader: JSONReader, diagnostics: inout Diagnostics) -> GitAuth {
        var auth = GitAuth()
        auth.username = reader.string("username", diagnostics: &diagnostics) ?? "git"
        auth.sshKeyFile = ConfigurationDecoder.nonEmptyPath(reader, "sshKeyFile", diagnostics: &diagnostics)
        auth.sshKnownHostsFile = ConfigurationDecoder.nonEmptyPath(
            reader,
            "sshKnownHostsFile",
            diagnostics: &diagnostics
        )
        auth.tokenFile = ConfigurationDecoder.nonEmptyPath(reader, "tokenFile", diagnostics: &diagnostics)
        auth.passwordFile = ConfigurationDecoder.nonEmptyPath(reader, "passwordFile", diagnostics: &diagnostics)
        if let pin = reader.string("sshHostKeyFingerprint", diagnostics: &diagnostics) {
            if pin.hasPrefix("SHA256:"), pin.count == 50 {
                auth.sshHostKeyFingerprint = pin
            } else {
                diagnostics.add(
                    "$.source.auth.sshHostKeyFingerprint",
                    "\(quoted(pin)) is not a SHA256 fingerprint",
                    fix: "copy it from ssh-keygen -lf HOSTKEY.pub, e.g. SHA256:abc…(43 characters)"
                )
            }
        }
        return auth
    }
}
