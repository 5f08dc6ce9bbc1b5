import AWSCore
import ArgumentParser
import DynamoDBControl
import FoundationEssentials
import GitSource
import Glibc
import Logging
import Manifest
import Reconcile
import SystemSupport
import TablekeeperConfig

struct AdoptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Let Tablekeeper manage an existing table that it did not create.",
        discussion: """
            Tablekeeper changes only the tables it created or was allowed to adopt. This shows what the daemon
            would do to the table once adopted (from the manifest that names it on the tracked branch), then
            tags it tablekeeper:managed after you confirm. Exit status: 0 adopted or already managed, 1 otherwise.

            Examples:
              tablekeeper adopt --config /etc/tablekeeper/config.json --table sentinel-requests
              tablekeeper adopt --config /etc/tablekeeper/config.json --table sentinel-requests --yes
            """
    )

    @Option(help: "The configuration file (the manifest comes from its git source).")
    var config: String

    @Option(help: "The table to adopt.")
    var table: String

    @Option(help: "The table's region (default: the manifest's, then aws.region).")
    var region: String?

    @Flag(help: "Do not ask for confirmation (for scripts).")
    var yes = false

    mutating func run() async throws {
        LoggingSetup.bootstrap(level: .warning)
        let logger = Logger(label: "tablekeeper")
        do {
            try await adopt(logger: logger)
        } catch is ExitCodeError {
            throw ExitCode(1)
        }
    }

    func adopt(logger: Logger) async throws {
        let runtime = try Runtime.load(configPath: config, logger: logger)
        try runtime.claimFiles(writingLog: false)
        let (files, problems) = try await runtime.readSnapshot()
        let named = files.filter { file in
            guard let document = try? JSONParser.parse(file.bytes),
                document["tableName"]?.stringValue == table
            else { return false }
            let manifestRegion = document["region"]?.stringValue ?? runtime.region
            return region.map { $0 == manifestRegion } ?? true
        }
        guard let manifest = named.first else {
            fail(
                "no manifest on \(runtime.configuration.source.branch) names \(table)"
                    + (region.map { " in \($0)" } ?? "")
                    + ": push one first (tablekeeper export --table \(table) prints the table as a manifest)"
            )
        }
        guard named.count == 1 else {
            fail("\(named.map(\.path).joined(separator: " and ")) all name \(table): give --region, or remove one")
        }
        var settings = runtime.reconcilerSettings
        settings.scope.adopt.append(table)
        settings.observeEverything = true
        let reconciler = Reconciler(
            settings: settings,
            controls: runtime.controls.factory,
            statusLog: nil,
            logger: logger
        )
        let prepared = await reconciler.prepare(files: [manifest], problems: problems, sweepOrphans: false)
        if let settled = prepared.settled.first {
            fail("\(table): \(settled.message)\(settled.error.map { ": \(Sanitizer.line($0))" } ?? "")")
        }
        guard let planned = prepared.tables.first else { fail("\(table): nothing to plan") }
        let control = runtime.controls.factory(planned.plan.region)
        let observed: ObservedTable?
        do throws(AWSError) {
            observed = try await Observer.observeTable(table, region: planned.plan.region, control: control)
        } catch {
            fail("could not read \(table) in \(planned.plan.region): \(Sanitizer.line(error.description))")
        }
        guard let observed else {
            fail("\(table) does not exist in \(planned.plan.region): the daemon creates it from \(manifest.path)")
        }
        if observed.isManaged {
            print("\(table) (\(observed.region)) is already managed by Tablekeeper; nothing to do")
            return
        }
        for line in PlanRendering(prepared: prepared).human(terminal: .standardOutput) { print(line) }
        print("")
        print(
            "Adopting tags \(table) tablekeeper:managed; the daemon then makes the changes above under the "
                + "configuration's policy."
        )
        if !yes {
            guard isatty(STDIN_FILENO) == 1 else {
                fail("not confirmed: standard input is not a terminal; run again with --yes to adopt from a script")
            }
            print("Adopt \(table)? Type yes to confirm: ", terminator: "")
            guard readLine()?.split(separator: " ").joined() == "yes" else {
                fail("not adopted: \(table) is left alone")
            }
        }
        let tags = [
            TagShape(Key: ReconcileTags.managed, Value: "true"),
            TagShape(Key: ReconcileTags.manifest, Value: ReconcileTags.manifestValue(manifest.path)),
        ]
        do throws(AWSError) {
            try await control.tagResource(observed.arn, tags: tags)
        } catch {
            fail("could not tag \(table): \(Sanitizer.line(error.description)) (the role needs dynamodb:TagResource)")
        }
        print("adopted \(table) (\(observed.region)): tagged tablekeeper:managed; the daemon reconciles it next cycle")
    }

    func fail(_ message: String) -> Never {
        printError("tablekeeper: \(message)")
        Glibc.exit(1)
    }
}
