import ArgumentParser
import FoundationEssentials
import GitSource
import Logging
import Reconcile
import StatusLog
import SystemSupport
import TablekeeperConfig

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Reconcile DynamoDB tables with the manifests of the tracked branch.",
        discussion: """
            With --once: one full cycle (fetch, observe, plan, execute one safe step per table, record), then exit.
            Exit status with --once: 0 converged, 2 something is flagged, invalid or failed, 1 fatal error.

            Examples:
              tablekeeper run --config /etc/tablekeeper/config.json
              tablekeeper run --config config.json --once
            """
    )

    @Option(help: "The configuration file.")
    var config = "/etc/tablekeeper/config.json"

    @Flag(help: "Run one cycle and exit.")
    var once = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    mutating func run() async throws {
        LoggingSetup.bootstrap(level: LoggingSetup.level(from: logLevel))
        let logger = Logger(label: "tablekeeper")
        guard once else {
            do {
                try await Daemon(configPath: config, logger: logger).run()
            } catch is ExitCodeError {
                throw ExitCode(1)
            }
            return
        }
        let runtime: Runtime
        do {
            runtime = try Runtime.load(configPath: config, logger: logger)
            if runtime.configuration.leader != nil {
                printError(
                    "tablekeeper: run --once would change tables beside the elected leader, without its lease "
                        + "(leader is set in \(config)): look with tablekeeper plan, or let the daemons reconcile"
                )
                throw ExitCode(1)
            }
            try runtime.claimFiles(writingLog: true)
        } catch {
            throw ExitCode(1)
        }
        // Suspensions made with `tablekeeper suspend` hold here too.
        var settings = runtime.reconcilerSettings
        settings.suspensions =
            SuspensionStore(path: runtime.configuration.source.cacheDirectory + ".suspended.json").current
        let (reconciler, writer) = runtime.makeRecordingReconciler(settings: settings)
        let poll = await runtime.makeGitSource().poll()
        let report = await reconciler.runCycle(poll: poll, trigger: "once")
        for line in CycleRendering.human(report, terminal: .standardOutput) { print(line) }
        if let problem = writer.lastError {
            printError("tablekeeper: the status log could not be written: \(problem)")
        }
        if let error = report.sourceError {
            printError("tablekeeper: source: \(error.message)")
            throw ExitCode(1)
        }
        if !report.isHealthy { throw ExitCode(2) }
    }
}

/// Human form of a cycle's results.
enum CycleRendering {
    static func human(_ report: CycleReport, terminal: Terminal) -> [String] {
        var lines: [String] = []
        let header = ["TABLE", "REGION", "OUTCOME", "MESSAGE"]
        let rows = report.results
            .sorted {
                ($0.outcome.needsAttention ? 0 : 1, $0.region, $0.table) < (
                    $1.outcome.needsAttention ? 0 : 1, $1.region, $1.table
                )
            }
            .map { result in
                [
                    StatusRendering.oneLine(result.table), StatusRendering.oneLine(result.region),
                    result.outcome.rawValue,
                    StatusRendering.oneLine(result.error.map { "\(result.message): \($0)" } ?? result.message),
                ]
            }
        if !rows.isEmpty {
            var painted = rows
            for index in painted.indices { painted[index][2] = terminal.outcome(rows[index][2]) }
            lines += Terminal.table([header] + rows, painted: [header] + painted)
        }
        if let rejection = report.sourceRejection {
            lines.append("\(rejection.outcome.replacing("_", with: " ")): \(Sanitizer.line(rejection.detail))")
        }
        let counts = StatusRecord.outcomes.compactMap { outcome -> String? in
            guard let count = report.counts[outcome], count > 0 else { return nil }
            return "\(count) \(outcome)"
        }
        lines.append(
            "cycle \(report.cycle) at \(String((report.revision ?? "no revision").prefix(12))): "
                + (counts.isEmpty ? "no tables" : counts.joined(separator: ", ")) + " in \(report.durationMs) ms"
        )
        return lines
    }
}
