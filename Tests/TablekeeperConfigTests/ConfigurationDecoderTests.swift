import GitSource
import Manifest
import TablekeeperConfig
import TestSupport
import Testing

@Suite("Configuration file")
struct ConfigurationDecoderTests {
    func decode(_ text: String) -> Result<TablekeeperConfiguration, ManifestErrors> {
        ConfigurationDecoder.decode(Array(text.utf8), file: "config.json")
    }

    @Test("the documented example decodes, nulls meaning not set")
    func example() throws {
        let configuration = try decode(
            """
            {
              "source": { "url": "ssh://git@git.example.com/ops/tables.git", "branch": "main", "path": "manifests",
                          "interval": "30s", "cacheDirectory": "/var/lib/tablekeeper/repo",
                          "auth": { "sshKeyFile": null, "sshKnownHostsFile": null, "tokenFile": null, "username": "git" },
                          "verify": { "allowedSignersFile": null } },
              "aws": { "region": "us-east-1", "endpoint": null, "maxConcurrency": 16 },
              "policy": { "encryption": "flag", "updates": "apply", "destructive": "flag" },
              "defaults": { "encryption": { "type": "KMS" } },
              "statusLog": { "path": "/var/log/tablekeeper/status.jsonl", "maxBytes": 67108864, "keep": 5 },
              "http": { "listen": "127.0.0.1:9464", "webhookSecretFile": null }
            }
            """
        ).get()
        #expect(configuration.source.url == "ssh://git@git.example.com/ops/tables.git")
        #expect(configuration.source.interval == .seconds(30))
        #expect(configuration.source.auth.sshKeyFile == nil)
        #expect(configuration.aws.region == "us-east-1")
        #expect(configuration.policy == ReconcilePolicy())
        #expect(configuration.defaultEncryption == .kms)
        #expect(configuration.statusLog.maxBytes == 67_108_864)
        #expect(configuration.http.listen == "127.0.0.1:9464")
    }

    @Test("deploy/config.example.json is accepted as it ships")
    func shippedExample() throws {
        let loaded = ConfigurationDecoder.load(path: RepositoryPaths.path("deploy/config.example.json"))
        let configuration = try loaded.get()
        #expect(configuration.source.interval == .seconds(30))
        #expect(configuration.statusLog.path == "/var/log/tablekeeper/status.jsonl")
        #expect(configuration.source.cacheDirectory == "/var/lib/tablekeeper/repo")
    }

    @Test("every problem is listed at once, with its path")
    func allProblems() {
        guard
            case .failure(let errors) = decode(
                #"{"source": {"url": 42, "interval": "soon"}, "aws": {"region": "Mars"}, "policy": {"updates": "sometimes"}, "colour": 1}"#
            )
        else {
            Issue.record("accepted")
            return
        }
        let paths = errors.errors.map(\.path)
        #expect(paths.contains("$.source.url"))
        #expect(paths.contains("$.source.interval"))
        #expect(paths.contains("$.aws.region"))
        #expect(paths.contains("$.policy.updates"))
        #expect(paths.contains("$.colour"))
        #expect(errors.errors.allSatisfy { $0.description.hasPrefix("config.json: $") })
    }

    @Test("the source URL is required")
    func sourceRequired() {
        guard case .failure(let errors) = decode("{}") else {
            Issue.record("accepted")
            return
        }
        #expect(errors.errors.map(\.path) == ["$.source"])
    }

    @Test("durations", arguments: [("500ms", 500), ("30s", 30_000), ("5m", 300_000), ("1h", 3_600_000)])
    func durations(text: String, milliseconds: Int64) {
        #expect(DurationText.parse(text) == .milliseconds(milliseconds))
        #expect(DurationText.parse(DurationText.format(.milliseconds(milliseconds))) == .milliseconds(milliseconds))
    }

    @Test("bad durations are refused", arguments: ["30", "s", "-5s", "1.5s", "5 m", "99999999999h"])
    func badDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }
}
