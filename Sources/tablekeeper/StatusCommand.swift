import ArgumentParser
import FoundationEssentials
import Manifest
import StatusLog
import TablekeeperConfig

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the current state of every table from the status log.",
        discussion: """
            One line per table (what needs a person first): table, region, outcome, revision, age, message.
            Exit status: 0 when everything is in sync or pending, 2 when a table is flagged, invalid or failed.

            Examples:
              tablekeeper status --config /etc/tablekeeper/config.json
              tablekeeper status --log status.jsonl --table sentinel-requests --history --since 1h
              tablekeeper status --follow
            """
    )

    @Option(help: "The status log file.")
    var log: String?

    @Option(help: "Read the status log path from this config file.")
    var config: String?

    @Option(help: "Only this table.")
    var table: String?

    @Flag(help: "List the records, oldest first, instead of the current state.")
    var history = false

    @Option(help: "With --history or --follow: only records newer than this (e.g. 30m, 2h).")
    var since: String?

    @Flag(help: "Keep printing new records as they are written (survives rotation).")
    var follow = false

    @Flag(help: "Machine-readable output.")
    var json = false

    func validate() throws {
        if log != nil, config != nil { throw ValidationError("give --log or --config, not both") }
        if let since, DurationText.parse(since) == nil {
            throw ValidationError("--since takes a duration like 30m or 2h")
        }
    }

    /// The configuration named by `--config`, or the default one when it exists and no `--log` is given.
    func loadConfiguration() throws -> TablekeeperConfiguration? {
        if log != nil { return nil }
        if let config {
            switch ConfigurationDecoder.load(path: config) {
            case .success(let configuration): return configuration
            case .failure(let errors):
                for error in errors.errors { printError(error.description) }
                throw ExitCode(1)
            }
        }
        let defaultConfig = "/etc/tablekeeper/config.json"
        if case .success(let configuration)? = FileManager.default.fileExists(atPath: defaultConfig)
            ? ConfigurationDecoder.load(path: defaultConfig) : nil
        {
            return configuration
        }
        return nil
    }

    mutating func run() async throws {
        let configuration = try loadConfiguration()
        let path = log ?? configuration?.statusLog.path ?? TablekeeperConfiguration.defaultStatusLogPath
        guard !StatusLogReader.files(path: path).isEmpty else {
            printError("tablekeeper: no status log at \(path) (pass --log FILE or --config FILE, or start the daemon)")
            throw ExitCode(1)
        }
        // The current state needs only the last cycle record; history needs them all.
        let (records, skipped) = StatusLogReader.read(path: path, latestCycleOnly: !(history || follow))
        if skipped > 0 {
            printError("tablekeeper: skipped \(skipped) torn or unreadable line\(skipped == 1 ? "" : "s") in \(path)")
        }
        let cutoff = since.flatMap(DurationText.parse).map { duration in
            Date().addingTimeInterval(-Double(duration.components.seconds))
        }
        if history || follow {
            let selected = records.filter { matches($0, cutoff: cutoff) }
            for record in selected { print(render(record)) }
            if follow {
                try await StatusFollower(path: path).follow { record in
                    if matches(record, cutoff: cutoff) { print(render(record)) }
                }
            }
            return
        }
        var summary = StatusSummary(records: records)
        if let table { summary.tables = summary.tables.filter { $0.table == table } }
        // With an election: who leads now (one GetItem), and whether this log is the leader's.
        var lease: LeaderLookup.Answer?
        if let configuration, let leader = configuration.leader {
            lease = await LeaderLookup.current(leader, configuration: configuration)
        }
        if let lease, let warning = LeaderLookup.warning(lease, log: summary.lastLeader) {
            printError("tablekeeper: warning: \(warning)")
        }
        if json {
            print(StatusRendering.json(summary, skipped: skipped, lease: lease))
        } else {
            if let lease { print(LeaderLookup.line(lease)) }
            for line in StatusRendering.human(summary, terminal: .standardOutput) { print(line) }
        }
        if summary.needsAttention { throw ExitCode(2) }
    }

    func matches(_ record: StatusRecord, cutoff: Date?) -> Bool {
        if let table, record.kind != .table || record.table != table { return false }
        if let cutoff, let date = record.date, date < cutoff { return false }
        return true
    }

    func render(_ record: StatusRecord) -> String {
        json ? record.jsonLine : StatusRendering.historyLine(record, terminal: .standardOutput)
    }
}
