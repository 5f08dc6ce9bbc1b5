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

    @Test("source.commitStatus decodes, and refuses a missing token file, plain http and unknown providers")
    func commitStatus() throws {
        let good = try decode(
            """
            {"source": {"url": "https://git.example.com/t.git",
                        "commitStatus": {"provider": "gitlab", "apiUrl": "https://gitlab.example.com/api/v4",
                                         "repository": "ops/tables", "tokenFile": "/etc/t"}}}
            """
        ).get()
        #expect(good.commitStatus?.provider == .gitlab)
        #expect(good.commitStatus?.context == "tablekeeper")
        guard
            case .failure(let errors) = decode(
                """
                {"source": {"url": "https://git.example.com/t.git",
                            "commitStatus": {"provider": "bitbucket", "apiUrl": "http://api.example.com",
                                             "repository": "ops/tables"}}}
                """
            )
        else {
            Issue.record("accepted")
            return
        }
        #expect(
            Set(errors.errors.map(\.path)) == [
                "$.source.commitStatus.provider", "$.source.commitStatus.tokenFile", "$.source.commitStatus.apiUrl",
            ]
        )
    }

    @Test("notify decodes receivers, and refuses plain http off loopback, secrets inline, unknown events")
    func notify() throws {
        let good = try decode(
            """
            {"source": {"url": "https://git.example.com/t.git"},
             "notify": [{"type": "webhook", "url": "https://hooks.example.com/t", "secretFile": "/etc/s",
                         "events": ["flagged", "failed"]},
                        {"type": "webhook", "url": "http://127.0.0.1:9/t", "secretFile": "/etc/s", "events": ["leader"]},
                        {"type": "slack", "urlFile": "/etc/slack", "events": ["flagged"]}]}
            """
        ).get()
        #expect(good.notify.count == 3)
        #expect(good.notify[0].events == [.flagged, .failed])
        #expect(good.notify[2].kind == .slack)
        guard
            case .failure(let errors) = decode(
                """
                {"source": {"url": "https://git.example.com/t.git"},
                 "notify": [{"type": "webhook", "url": "http://hooks.example.com/t", "secretFile": "/s", "events": ["flagged"]},
                            {"type": "webhook", "url": "https://hooks.example.com/t", "events": ["flagged"]},
                            {"type": "slack", "url": "https://hooks.slack.com/x", "events": ["flagged"]},
                            {"type": "webhook", "url": "https://user:pw@hooks.example.com/t", "secretFile": "/s", "events": ["flagged"]},
                            {"type": "webhook", "url": "https://hooks.example.com/t", "secretFile": "/s", "events": ["synced"]},
                            {"type": "email", "events": ["flagged"]},
                            {"type": "webhook", "url": "http://127.attacker.example/t", "secretFile": "/s", "events": ["flagged"]}]}
                """
            )
        else {
            Issue.record("accepted")
            return
        }
        #expect(
            Set(errors.errors.map(\.path)) == [
                "$.notify[0].url", "$.notify[1].secretFile", "$.notify[2].url", "$.notify[3].url",
                "$.notify[4].events[0]", "$.notify[5].type", "$.notify[6].url",
            ]
        )
    }

    @Test("scope decodes, and each bad entry is named by its path")
    func scope() throws {
        let good = try decode(
            """
            {"source": {"url": "https://git.example.com/t.git"},
             "scope": {"tableNames": ["sentinel-*"], "regions": ["us-east-1"], "kmsKeyAccounts": ["111122223333"],
                       "adopt": ["sentinel-requests"]}}
            """
        ).get()
        #expect(good.scope.tableNames == ["sentinel-*"])
        #expect(good.scope.allowsAdopting("sentinel-requests"))
        #expect(!good.scope.allowsAdopting("sentinel-sessions"))
        #expect(try decode(#"{"source": {"url": "https://git.example.com/t.git"}}"#).get().scope == ReconcileScope())
        guard
            case .failure(let errors) = decode(
                """
                {"source": {"url": "https://git.example.com/t.git"},
                 "scope": {"tableNames": [""], "regions": ["moon-1"], "kmsKeyAccounts": ["12"], "adopt": ["a*"],
                           "tables": []}}
                """
            )
        else {
            Issue.record("accepted")
            return
        }
        #expect(
            Set(errors.errors.map(\.path)) == [
                "$.scope.tables", "$.scope.tableNames[0]", "$.scope.regions[0]", "$.scope.kmsKeyAccounts[0]",
                "$.scope.adopt[0]",
            ]
        )
    }

    @Test("leader: absent or null means no election; set, its defaults; renewals at least twice per lease")
    func leader() throws {
        let url = #""source": {"url": "https://git.example.com/t.git"}"#
        #expect(try decode("{\(url)}").get().leader == nil)
        #expect(try decode("{\(url), \"leader\": null}").get().leader == nil)
        let defaults = try #require(try decode("{\(url), \"leader\": {}}").get().leader)
        #expect(defaults == TablekeeperConfiguration.Leader())
        #expect(defaults.table == "tablekeeper-leader" && defaults.leaseDuration == .seconds(20))
        let set = try #require(
            try decode(
                """
                {\(url), "leader": {"table": "ops-leader", "region": "eu-west-1", "name": "prod",
                                   "leaseDuration": "30s", "renewEvery": "10s"}}
                """
            ).get().leader
        )
        #expect(set.table == "ops-leader" && set.region == "eu-west-1" && set.name == "prod")
        #expect(set.renewEvery == .seconds(10))
        guard
            case .failure(let errors) = decode(
                """
                {\(url), "leader": {"table": "x", "region": "moon", "leaseDuration": "10s", "renewEvery": "6s",
                                   "term": 1}}
                """
            )
        else {
            Issue.record("accepted")
            return
        }
        #expect(
            Set(errors.errors.map(\.path)) == [
                "$.leader.table", "$.leader.region", "$.leader.renewEvery", "$.leader.term",
            ]
        )
        #expect(errors.errors.contains { $0.description.contains("more than half of leaseDuration") })
    }

    @Test("scope globs: * any run, ? one character, the rest literal")
    func globs() {
        #expect(ReconcileScope.matches("sentinel-requests", pattern: "sentinel-*"))
        #expect(ReconcileScope.matches("sentinel-", pattern: "sentinel-*"))
        #expect(!ReconcileScope.matches("payments", pattern: "sentinel-*"))
        #expect(ReconcileScope.matches("a-b-c", pattern: "a*c"))
        #expect(ReconcileScope.matches("ab", pattern: "a?"))
        #expect(!ReconcileScope.matches("abc", pattern: "a?"))
        #expect(!ReconcileScope.matches("xsentinel-a", pattern: "sentinel-*"))
        #expect(ReconcileScope.matches("orders.prod", pattern: "*.prod"))
        #expect(!ReconcileScope.matches("orders-prod", pattern: "*.prod"))
        let scope = ReconcileScope(kmsKeyAccounts: ["111122223333"])
        #expect(
            scope.violation(
                tableName: "t",
                region: "us-east-1",
                kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:alias/sentinel"
            ) == nil
        )
        #expect(
            scope.violation(tableName: "t", region: "us-east-1", kmsKeyArn: "arn:aws:kms:us-east-1:444455556666:key/x")?
                .path == "$.encryption.kmsKeyArn"
        )
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
