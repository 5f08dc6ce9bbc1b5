import ArgumentParser
import FoundationEssentials
import GitSource
import Logging
import Manifest
import Reconcile
import StatusLog
import TablekeeperConfig

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what Tablekeeper would do, changing nothing.",
        discussion: """
            Reads the manifests (from the tracked branch with --config, or from a folder with --manifests),
            looks at the tables in AWS and prints a diff per table: + create, ~ update, ! flag (with what to do).
            Exit status: 0 nothing to do, 2 changes or flags pending, 1 error.

            Examples:
              tablekeeper plan --config /etc/tablekeeper/config.json
              tablekeeper plan --manifests manifests/ --endpoint http://127.0.0.1:5055 --region us-east-1 --json
            """
    )

    @Option(help: "The configuration file (manifests come from its git source).")
    var config: String?

    @Option(help: "A folder of manifests to plan instead of the git source.")
    var manifests: String?

    @Option(help: "With --manifests: the DynamoDB and KMS endpoint (default: the AWS variables, then AWS).")
    var endpoint: String?

    @Option(help: "With --manifests: the region of manifests that name none (default: AWS_REGION).")
    var region: String?

    @Flag(help: "Machine-readable output.")
    var json = false

    func validate() throws {
        if (config == nil) == (manifests == nil) {
            throw ValidationError("give either --config FILE or --manifests DIR")
        }
        if config != nil, endpoint != nil || region != nil {
            throw ValidationError("--endpoint and --region go with --manifests; with --config they come from the file")
        }
    }

    mutating func run() async throws {
        LoggingSetup.bootstrap(level: .warning)
        let logger = Logger(label: "tablekeeper")
        let runtime: Runtime
        let files: [SnapshotFile]
        var problems: [String: String] = [:]
        do {
            if let config {
                runtime = try Runtime.load(configPath: config, logger: logger)
                try runtime.claimFiles(writingLog: false)
                (files, problems) = try await runtime.readSnapshot()
            } else {
                var configuration = TablekeeperConfiguration(source: .init(url: "file:///dev/null"))
                configuration.aws.region = region
                configuration.aws.endpoint = endpoint
                runtime = try Runtime.make(configuration: configuration, logger: logger)
                let read = ManifestDirectory.read([manifests ?? "."])
                for error in read.errors { problems[error.file] = error.problem }
                files = read.files.map { SnapshotFile(path: $0.path, blob: "", bytes: $0.bytes) }
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw ExitCode(1)
        }
        // The log's history tells the plan what the daemon knows (a table it is still creating is its own).
        let history =
            config == nil
            ? [] : StatusLogReader.read(path: runtime.configuration.statusLog.path, latestCycleOnly: true).records
        // A one-off command needs the full picture: every table's TTL, backups and tags are read.
        var settings = runtime.reconcilerSettings
        settings.observeEverything = true
        let reconciler = Reconciler(
            settings: settings,
            controls: runtime.controls.factory,
            statusLog: nil,
            history: history,
            logger: logger
        )
        let prepared = await reconciler.prepare(files: files, problems: problems, sweepOrphans: true)
        let rendering = PlanRendering(prepared: prepared)
        if json {
            print(rendering.json())
        } else {
            for line in rendering.human(terminal: .standardOutput) { print(line) }
        }
        if prepared.settled.contains(where: { $0.outcome == .failed }) { throw ExitCode(1) }
        if !rendering.isNothingToDo { throw ExitCode(2) }
    }
}
